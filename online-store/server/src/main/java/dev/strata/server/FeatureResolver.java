package dev.strata.server;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/**
 * Turns a feature service name or {@code view:feature} references into the views (current
 * versions) and feature positions to read. Registry lookups are cached for a few seconds, so an
 * apply reaches the server quickly without a database round trip per request.
 */
@Component
public class FeatureResolver {
  static final long CACHE_MILLIS = 5_000;

  private final RegistryStore registry;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  public FeatureResolver(RegistryStore registry) {
    this.registry = registry;
  }

  private record Cached(long at, Optional<Registered<Object>> value, AtomicBoolean refreshing) {}

  /** Refreshes stale entries off the request path: one daemon thread. */
  private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "strata-registry-refresh");
    t.setDaemon(true);
    return t;
  });

  /** One view to read and which of its features the response wants, in order. */
  public record ViewRead(FeatureView view, int version, List<Integer> positions, List<String> names) {}

  private Optional<Registered<Object>> lookup(ObjectKind kind, String name) {
    String k = kind + ":" + name;
    long now = System.currentTimeMillis();
    Cached c = cache.get(k);
    if (c == null) {
      c = new Cached(now, registry.get(kind, name), new AtomicBoolean());
      cache.put(k, c);
    } else if (now - c.at() > CACHE_MILLIS && c.refreshing().compareAndSet(false, true)) {
      // a stale entry answers this request; one background lookup replaces it, so no request
      // waits for the registry database once a name has been seen
      Cached stale = c;
      try {
        refresher.execute(() -> {
          try {
            cache.put(k, new Cached(System.currentTimeMillis(), registry.get(kind, name), new AtomicBoolean()));
          } catch (RuntimeException e) {
            stale.refreshing().set(false); // the registry is away: keep the last answer, try again later
          }
        });
      } catch (RejectedExecutionException e) {
        stale.refreshing().set(false);
      }
    }
    return c.value();
  }

  @PreDestroy
  void stop() {
    refresher.shutdownNow();
  }

  public List<ViewRead> service(String name) {
    FeatureService s = (FeatureService) lookup(ObjectKind.FEATURE_SERVICE, name)
        .orElseThrow(() -> new BadRequest("unknown feature service '" + name + "'"))
        .definition();
    return resolve(s.projections());
  }

  public List<ViewRead> references(List<String> refs) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (String ref : refs) {
      int colon = ref.indexOf(':');
      if (colon <= 0 || colon == ref.length() - 1) {
        throw new BadRequest("feature reference '" + ref + "' is not view:feature");
      }
      byView.computeIfAbsent(ref.substring(0, colon), v -> new ArrayList<>()).add(ref.substring(colon + 1));
    }
    List<Projection> projections = new ArrayList<>();
    byView.forEach((v, f) -> projections.add(new Projection(v, f)));
    return resolve(projections);
  }

  private List<ViewRead> resolve(List<Projection> projections) {
    List<ViewRead> out = new ArrayList<>();
    for (Projection p : projections) {
      Registered<Object> reg = lookup(ObjectKind.FEATURE_VIEW, p.view())
          .orElseThrow(() -> new BadRequest("unknown feature view '" + p.view() + "'"));
      FeatureView view = (FeatureView) reg.definition();
      if (!view.online()) {
        throw new BadRequest("feature view '" + p.view() + "' is offline only");
      }
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
          throw new BadRequest("unknown feature '" + p.view() + ":" + f + "'");
        }
        positions.add(at);
      }
      out.add(new ViewRead(view, reg.version(), positions, p.features()));
    }
    return out;
  }
}
