package dev.strata.dsl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Features of one or more entities, computed from one source: row-level features and sliding-window
 * aggregations, held offline at the view's cadence and online for its TTL.
 *
 * <pre>{@code
 * FeatureView originDelays = FeatureView.builder("origin_delays")
 *     .entity(airport).source(flights).ttl(Duration.ofDays(7)).every(Duration.ofHours(1))
 *     .aggregate(avg(col("delay")).over(Duration.ofHours(24)).as("avg_delay_24h"))
 *     .aggregate(count().over(Duration.ofDays(7)).as("flights_7d"))
 *     .build();
 * }</pre>
 *
 * <p>A TTL of zero means values never expire.
 */
public final class FeatureView implements Definition {
  /** The cadence of a view that does not set one. */
  public static final Duration DEFAULT_CADENCE = Duration.ofDays(1);

  private final String name;
  private final List<String> entities;
  private final List<JoinKey> joinKeys;
  private final String source;
  private final Duration ttl;
  private final Duration cadence;
  private final List<Feature> features;
  private final boolean online;
  private final Metadata metadata;
  private final List<Expectation> expectations;

  private FeatureView(
      String name,
      List<String> entities,
      List<JoinKey> joinKeys,
      String source,
      Duration ttl,
      Duration cadence,
      List<Feature> features,
      boolean online,
      Metadata metadata,
      List<Expectation> expectations) {
    this.name = name;
    this.entities = List.copyOf(entities);
    this.joinKeys = List.copyOf(joinKeys);
    this.source = source;
    this.ttl = ttl;
    this.cadence = cadence;
    this.features = List.copyOf(features);
    this.online = online;
    this.metadata = metadata;
    this.expectations = List.copyOf(expectations);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Rebuilds a view without expectations from its stored form. */
  public static FeatureView restore(
      String name,
      List<String> entities,
      List<JoinKey> joinKeys,
      String source,
      Duration ttl,
      Duration cadence,
      List<Feature> features,
      boolean online,
      Metadata metadata) {
    return restore(
        name, entities, joinKeys, source, ttl, cadence, features, online, metadata, List.of());
  }

  /** Rebuilds a view from its stored form (features already typed); used by the JSON codec. */
  public static FeatureView restore(
      String name,
      List<String> entities,
      List<JoinKey> joinKeys,
      String source,
      Duration ttl,
      Duration cadence,
      List<Feature> features,
      boolean online,
      Metadata metadata,
      List<Expectation> expectations) {
    Names.checkObjectName("feature view", name);
    if (source == null || source.isBlank() || entities.isEmpty() || joinKeys.isEmpty()) {
      throw DefinitionException.of(
          "feature view", name, "a stored view needs a source, entities and join keys");
    }
    if (ttl == null
        || ttl.isNegative()
        || cadence == null
        || cadence.isNegative()
        || cadence.isZero()) {
      throw DefinitionException.of(
          "feature view",
          name,
          "ttl %s must not be negative and cadence %s must be positive",
          ttl,
          cadence);
    }
    if (features.isEmpty()) {
      throw DefinitionException.of("feature view", name, "defines no features");
    }
    Set<String> names = new HashSet<>();
    joinKeys.forEach(k -> names.add(k.name()));
    for (Feature f : features) {
      if (!names.add(f.name())) {
        throw DefinitionException.of(
            "feature view", name, "feature name '%s' is used twice or is a join key", f.name());
      }
    }
    return new FeatureView(
        name,
        entities,
        joinKeys,
        source,
        ttl,
        cadence,
        features,
        online,
        metadata == null ? Metadata.EMPTY : metadata,
        checkExpectations(name, joinKeys, features, expectations));
  }

  /** The columns of the view's rows that expectations may name: join keys and features. */
  public Map<String, ValueType> columns() {
    return columns(joinKeys, features);
  }

  private static Map<String, ValueType> columns(List<JoinKey> keys, List<Feature> features) {
    Map<String, ValueType> m = new LinkedHashMap<>();
    keys.forEach(k -> m.put(k.name(), k.type()));
    features.forEach(f -> m.put(f.name(), f.type()));
    return m;
  }

  private static List<Expectation> checkExpectations(
      String name, List<JoinKey> keys, List<Feature> features, List<Expectation> expectations) {
    Map<String, ValueType> columns = columns(keys, features);
    Set<String> seen = new HashSet<>();
    for (Expectation e : expectations) {
      try {
        e.check(columns);
      } catch (IllegalArgumentException bad) {
        throw DefinitionException.of("feature view", name, "expectation %s", bad.getMessage());
      }
      if (!seen.add(e.describe())) {
        throw DefinitionException.of(
            "feature view", name, "expectation %s is listed twice", e.describe());
      }
    }
    return expectations;
  }

  @Override
  public ObjectKind kind() {
    return ObjectKind.FEATURE_VIEW;
  }

  @Override
  public String name() {
    return name;
  }

  /** Names of the view's entities. */
  public List<String> entities() {
    return entities;
  }

  /** The join-key columns of all entities, in order. */
  public List<JoinKey> joinKeys() {
    return joinKeys;
  }

  /** Name of the source. */
  public String source() {
    return source;
  }

  public Duration ttl() {
    return ttl;
  }

  public Duration cadence() {
    return cadence;
  }

  public List<Feature> features() {
    return features;
  }

  public Optional<Feature> feature(String featureName) {
    return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
  }

  public boolean hasAggregations() {
    return features.stream().anyMatch(Feature::isAggregate);
  }

  /** Whether the view is materialized to the online store. */
  public boolean online() {
    return online;
  }

  public Metadata metadata() {
    return metadata;
  }

  /** What the rows each run writes must keep, checked before the run commits. */
  public List<Expectation> expectations() {
    return expectations;
  }

  /** All features of this view, for a {@link FeatureService}. */
  public Projection all() {
    return new Projection(name, features.stream().map(Feature::name).toList());
  }

  /** Some features of this view, for a {@link FeatureService}; each must exist. */
  public Projection select(String... featureNames) {
    for (String f : featureNames) {
      if (feature(f).isEmpty()) {
        throw new DefinitionException(
            "Cannot select feature '"
                + f
                + "' of feature view '"
                + name
                + "': no such feature"
                + " (features: "
                + features.stream().map(Feature::name).toList()
                + ")");
      }
    }
    return new Projection(name, List.of(featureNames));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FeatureView)) {
      return false;
    }
    FeatureView v = (FeatureView) o;
    return name.equals(v.name)
        && entities.equals(v.entities)
        && joinKeys.equals(v.joinKeys)
        && source.equals(v.source)
        && ttl.equals(v.ttl)
        && cadence.equals(v.cadence)
        && features.equals(v.features)
        && online == v.online
        && metadata.equals(v.metadata)
        && expectations.equals(v.expectations);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, entities, source, ttl, cadence, features);
  }

  @Override
  public String toString() {
    return "feature view " + name;
  }

  /** Builds a {@link FeatureView}; {@link #build()} validates against the source's columns. */
  public static final class Builder {
    private final String name;
    private final List<Entity> entities = new ArrayList<>();
    private Source source;
    private Duration ttl = Duration.ZERO;
    private Duration cadence = DEFAULT_CADENCE;
    private final List<FeatureSpec> features = new ArrayList<>();
    private boolean online = true;
    private Metadata metadata = Metadata.EMPTY;
    private final List<Expectation> expectations = new ArrayList<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder entity(Entity entity) {
      entities.add(Objects.requireNonNull(entity, "entity"));
      return this;
    }

    public Builder source(Source source) {
      this.source = source;
      return this;
    }

    /** How long a value stays valid after its event time; zero means forever. */
    public Builder ttl(Duration ttl) {
      this.ttl = ttl;
      return this;
    }

    /** The cadence at which the offline table holds values. */
    public Builder every(Duration cadence) {
      this.cadence = cadence;
      return this;
    }

    /** Adds a row-level feature. */
    public Builder feature(FeatureSpec feature) {
      features.add(Objects.requireNonNull(feature, "feature"));
      return this;
    }

    /** Adds a sliding-window aggregation. */
    public Builder aggregate(FeatureSpec feature) {
      Objects.requireNonNull(feature, "feature");
      if (!feature.isAggregate()) {
        throw DefinitionException.of(
            "feature view",
            name,
            "aggregate() takes an aggregation; '%s' is row-level, use" + " feature()",
            feature.name());
      }
      features.add(feature);
      return this;
    }

    /**
     * Adds an expectation on the rows each run of the view writes (STRICT unless {@link
     * Expectation#warnOnly()}).
     */
    public Builder expect(Expectation expectation) {
      expectations.add(Objects.requireNonNull(expectation, "expectation"));
      return this;
    }

    /** Keeps the view offline only. */
    public Builder offlineOnly() {
      this.online = false;
      return this;
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

    public FeatureView build() {
      Names.checkObjectName("feature view", name);
      if (source == null) {
        throw DefinitionException.of("feature view", name, "has no source");
      }
      if (entities.isEmpty()) {
        throw DefinitionException.of("feature view", name, "needs at least one entity");
      }
      if (ttl == null || ttl.isNegative()) {
        throw DefinitionException.of(
            "feature view", name, "ttl %s must not be negative (zero means no expiry)", ttl);
      }
      if (cadence == null || cadence.isNegative() || cadence.isZero()) {
        throw DefinitionException.of("feature view", name, "cadence %s must be positive", cadence);
      }
      if (features.isEmpty()) {
        throw DefinitionException.of("feature view", name, "defines no features");
      }
      Map<String, ValueType> schema = source.columns();
      List<JoinKey> keys = new ArrayList<>();
      List<String> entityNames = new ArrayList<>();
      Set<String> keyNames = new HashSet<>();
      for (Entity e : entities) {
        if (entityNames.contains(e.name())) {
          throw DefinitionException.of(
              "feature view", name, "entity '%s' is listed twice", e.name());
        }
        entityNames.add(e.name());
        for (JoinKey k : e.joinKeys()) {
          ValueType found = schema.get(k.name());
          if (found == null) {
            throw DefinitionException.of(
                "feature view",
                name,
                "join key '%s' of entity '%s' is not a column of source '%s'",
                k.name(),
                e.name(),
                source.name());
          }
          if (found != k.type()) {
            throw DefinitionException.of(
                "feature view",
                name,
                "join key '%s' of entity '%s' is %s but source '%s' has %s",
                k.name(),
                e.name(),
                k.type(),
                source.name(),
                found);
          }
          if (keyNames.add(k.name())) {
            keys.add(k);
          }
        }
      }
      Map<String, Feature> typed = new LinkedHashMap<>();
      for (FeatureSpec f : features) {
        Feature resolved = f.resolve(name, schema);
        if (typed.containsKey(f.name())) {
          throw DefinitionException.of(
              "feature view", name, "feature name '%s' is used twice", f.name());
        }
        if (keyNames.contains(f.name()) || f.name().equals(source.eventTimestamp())) {
          throw DefinitionException.of(
              "feature view",
              name,
              "feature name '%s' collides with a join key or the event timestamp column",
              f.name());
        }
        typed.put(f.name(), resolved);
      }
      return new FeatureView(
          name,
          entityNames,
          keys,
          source.name(),
          ttl,
          cadence,
          new ArrayList<>(typed.values()),
          online,
          metadata,
          checkExpectations(name, keys, new ArrayList<>(typed.values()), expectations));
    }
  }
}
