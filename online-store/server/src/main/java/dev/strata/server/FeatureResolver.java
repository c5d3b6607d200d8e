package dev.strata.server;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureRef;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Turns a feature service name or {@code view:feature} references into the views (current versions)
 * and feature positions to read. Registry lookups are cached for a few seconds, so an apply reaches
 * the server quickly without a database round trip per request.
 */
@Component
public class FeatureResolver {
  static final Duration REFRESH = Duration.ofSeconds(5);

  /** Names seen at once, known or not; each at most 128 characters (the registry's own rule). */
  static final int CACHE_ENTRIES = 10_000;

  /** The registry's object names: anything else cannot exist, and is never looked up or cached. */
  private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,127}");

  private final RegistryStore registry;

  /** Refreshes stale entries off the request path: one daemon thread. */
  private final ExecutorService refresher =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "strata-registry-refresh");
            t.setDaemon(true);
            return t;
          });

  /**
   * Bounded, and refreshed after a few seconds: a stale entry answers while one background lookup
   * replaces it, so no request waits for the registry database once a name has been seen, and an
   * apply reaches the server quickly. A failed refresh keeps the last answer.
   */
  private final LoadingCache<Ref, Optional<Registered<Definition>>> cache;

  private record Ref(ObjectKind kind, String name) {}

  public FeatureResolver(RegistryStore registry) {
    this.registry = registry;
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(CACHE_ENTRIES)
            .refreshAfterWrite(REFRESH)
            .executor(refresher)
            .build(ref -> this.registry.get(ref.kind(), ref.name()));
  }

  /** One view to read and which of its features the response wants, in order. */
  public record ViewRead(
      FeatureView view, int version, List<Integer> positions, List<String> names) {}

  private Optional<Registered<Definition>> lookup(ObjectKind kind, String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return cache.get(new Ref(kind, name));
  }

  /** How many lookups are cached now (for tests and metrics). */
  long cached() {
    cache.cleanUp();
    return cache.estimatedSize();
  }

  /** A user-given name as it may appear in an answer: never more than 130 characters. */
  static String shown(String name) {
    return name.length() <= 128 ? name : name.substring(0, 128) + "...";
  }

  @PreDestroy
  void stop() {
    refresher.shutdownNow();
  }

  /** The current version of a feature view that is served online; a 400 for any other name. */
  public Registered<FeatureView> view(String name) {
    Registered<FeatureView> reg =
        lookup(ObjectKind.FEATURE_VIEW, name)
            .map(r -> r.as(FeatureView.class))
            .orElseThrow(() -> new BadRequest("unknown feature view '" + shown(name) + "'"));
    if (!reg.definition().online()) {
      throw new BadRequest("feature view '" + name + "' is offline only");
    }
    return reg;
  }

  public List<ViewRead> service(String name) {
    FeatureService s =
        lookup(ObjectKind.FEATURE_SERVICE, name)
            .map(r -> r.as(FeatureService.class))
            .orElseThrow(() -> new BadRequest("unknown feature service '" + shown(name) + "'"))
            .definition();
    return resolve(s.projections());
  }

  public List<ViewRead> references(List<String> refs) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (String text : refs) {
      FeatureRef ref =
          FeatureRef.parse(text); // the CLI's parser: view:feature, or a view for all its features
      List<String> names = byView.computeIfAbsent(ref.view(), v -> new ArrayList<>());
      if (ref.allFeatures()) {
        view(ref.view()).definition().features().forEach(f -> names.add(f.name()));
      } else {
        names.add(ref.feature().get());
      }
    }
    List<Projection> projections = new ArrayList<>();
    byView.forEach((v, f) -> projections.add(new Projection(v, f)));
    return resolve(projections);
  }

  private List<ViewRead> resolve(List<Projection> projections) {
    List<ViewRead> out = new ArrayList<>();
    for (Projection p : projections) {
      Registered<FeatureView> reg = view(p.view());
      FeatureView view = reg.definition();
      List<Feature> features = view.features();
      List<Integer> positions = new ArrayList<>();
      for (String f : p.features()) {
        int at = -1;
        for (int i = 0; i < features.size(); i++) {
          if (features.get(i).name().equals(f)) {
            at = i;
          }
        }
        if (at < 0) {
          throw new BadRequest("unknown feature '" + p.view() + ":" + shown(f) + "'");
        }
        positions.add(at);
      }
      out.add(new ViewRead(view, reg.version(), positions, p.features()));
    }
    return out;
  }
}
