package dev.strata.dsl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named set of feature-view projections that one model uses.
 *
 * <pre>{@code
 * FeatureService delayModel = FeatureService.builder("delay_model")
 *     .include(originDelays.all())
 *     .include(routeStats.select("route_avg_delay_7d"))
 *     .build();
 * }</pre>
 */
public final class FeatureService implements Definition {
  private final String name;
  private final List<Projection> projections;
  private final Metadata metadata;

  private FeatureService(String name, List<Projection> projections, Metadata metadata) {
    this.name = name;
    this.projections = List.copyOf(projections);
    this.metadata = metadata;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Rebuilds a service from its stored form; used by the JSON codec. */
  public static FeatureService restore(String name, List<Projection> projections, Metadata m) {
    Names.checkObjectName("feature service", name);
    if (projections == null || projections.isEmpty()) {
      throw DefinitionException.of("feature service", name, "selects no features");
    }
    for (Projection p : projections) {
      if (p.features().isEmpty()) {
        throw DefinitionException.of(
            "feature service", name, "selects no features of view '%s'", p.view());
      }
    }
    return new FeatureService(name, projections, m == null ? Metadata.EMPTY : m);
  }

  @Override
  public ObjectKind kind() {
    return ObjectKind.FEATURE_SERVICE;
  }

  @Override
  public String name() {
    return name;
  }

  public List<Projection> projections() {
    return projections;
  }

  public Metadata metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureService
        && name.equals(((FeatureService) o).name)
        && projections.equals(((FeatureService) o).projections)
        && metadata.equals(((FeatureService) o).metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, projections, metadata);
  }

  @Override
  public String toString() {
    return "feature service " + name;
  }

  /** Builds a {@link FeatureService}; {@link #build()} validates. */
  public static final class Builder {
    private final String name;
    private final List<Projection> projections = new ArrayList<>();
    private Metadata metadata = Metadata.EMPTY;

    private Builder(String name) {
      this.name = name;
    }

    public Builder include(Projection projection) {
      projections.add(Objects.requireNonNull(projection, "projection"));
      return this;
    }

    /** Includes every feature of a view. */
    public Builder include(FeatureView view) {
      return include(view.all());
    }

    public Builder description(String description) {
      metadata = metadata.withDescription(description);
      return this;
    }

    public Builder owner(String owner) {
      metadata = metadata.withOwner(owner);
      return this;
    }

    public Builder tag(String key, String value) {
      metadata = metadata.withTag(key, value);
      return this;
    }

    public FeatureService build() {
      Names.checkObjectName("feature service", name);
      if (projections.isEmpty()) {
        throw DefinitionException.of("feature service", name, "includes no features");
      }
      Set<String> views = new HashSet<>();
      for (Projection p : projections) {
        if (!views.add(p.view())) {
          throw DefinitionException.of(
              "feature service", name, "feature view '%s' is included twice", p.view());
        }
        if (p.features().isEmpty()) {
          throw DefinitionException.of(
              "feature service", name, "projection of '%s' selects no features", p.view());
        }
        Set<String> seen = new HashSet<>();
        for (String f : p.features()) {
          if (!seen.add(f)) {
            throw DefinitionException.of(
                "feature service", name, "feature '%s:%s' is selected twice", p.view(), f);
          }
        }
      }
      return new FeatureService(name, projections, metadata);
    }
  }
}
