package dev.strata.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A set of definitions: what a {@link FeatureRepository} declares, or what the registry holds.
 * Names are unique per kind. {@link #referenceErrors()} checks that every reference resolves inside
 * the set.
 *
 * <pre>{@code
 * Definitions defs = Definitions.builder().add(airport).add(flights).add(originDelays).build();
 * }</pre>
 */
public final class Definitions {
  private final Map<ObjectKind, Map<String, Definition>> byKind = new EnumMap<>(ObjectKind.class);
  private final Map<String, Entity> entities;
  private final Map<String, Source> sources;
  private final Map<String, FeatureView> views;
  private final Map<String, FeatureService> services;

  private Definitions(Builder b) {
    for (ObjectKind k : ObjectKind.values()) {
      byKind.put(k, Collections.unmodifiableMap(new TreeMap<>(b.byKind.get(k))));
    }
    this.entities = typed(ObjectKind.ENTITY, Entity.class);
    this.sources = typed(ObjectKind.SOURCE, Source.class);
    this.views = typed(ObjectKind.FEATURE_VIEW, FeatureView.class);
    this.services = typed(ObjectKind.FEATURE_SERVICE, FeatureService.class);
  }

  /** The definitions of one kind, typed: the kind decides the class, so the casts cannot fail. */
  private <T extends Definition> Map<String, T> typed(ObjectKind kind, Class<T> type) {
    Map<String, T> out = new TreeMap<>();
    byKind.get(kind).forEach((n, d) -> out.put(n, type.cast(d)));
    return Collections.unmodifiableMap(out);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static Definitions empty() {
    return builder().build();
  }

  public Collection<Entity> entities() {
    return entities.values();
  }

  public Collection<Source> sources() {
    return sources.values();
  }

  public Collection<FeatureView> featureViews() {
    return views.values();
  }

  public Collection<FeatureService> featureServices() {
    return services.values();
  }

  public Optional<Entity> entity(String name) {
    return Optional.ofNullable(entities.get(name));
  }

  public Optional<Source> source(String name) {
    return Optional.ofNullable(sources.get(name));
  }

  public Optional<FeatureView> featureView(String name) {
    return Optional.ofNullable(views.get(name));
  }

  public Optional<FeatureService> featureService(String name) {
    return Optional.ofNullable(services.get(name));
  }

  /** The definition of a kind and name. */
  public Optional<Definition> get(ObjectKind kind, String name) {
    return Optional.ofNullable(byKind.get(kind).get(name));
  }

  /** Names of one kind, sorted. */
  public List<String> names(ObjectKind kind) {
    return new ArrayList<>(byKind.get(kind).keySet());
  }

  public boolean isEmpty() {
    return entities.isEmpty() && sources.isEmpty() && views.isEmpty() && services.isEmpty();
  }

  /**
   * Every reference that does not resolve inside this set, as messages naming the object, the field
   * and the value; empty when the set is consistent.
   */
  public List<String> referenceErrors() {
    List<String> errors = new ArrayList<>();
    for (FeatureView v : views.values()) {
      String where = "feature view '" + v.name() + "'";
      List<JoinKey> expectedKeys = new ArrayList<>();
      for (String e : v.entities()) {
        Entity entity = entities.get(e);
        if (entity == null) {
          errors.add(where + ": entity '" + e + "' is not defined");
          continue;
        }
        for (JoinKey k : entity.joinKeys()) {
          if (!expectedKeys.contains(k)) {
            expectedKeys.add(k);
          }
        }
      }
      if (errors.isEmpty() && !expectedKeys.equals(v.joinKeys())) {
        errors.add(
            where + ": join keys " + v.joinKeys() + " do not match its entities' " + expectedKeys);
      }
      Source s = sources.get(v.source());
      if (s == null) {
        errors.add(where + ": source '" + v.source() + "' is not defined");
        continue;
      }
      for (JoinKey k : v.joinKeys()) {
        ValueType found = s.columns().get(k.name());
        if (found != k.type()) {
          errors.add(
              where
                  + ": join key '"
                  + k.name()
                  + "' ("
                  + k.type()
                  + ") is "
                  + (found == null ? "missing from" : found + " in")
                  + " source '"
                  + s.name()
                  + "'");
        }
      }
      for (Feature f : v.features()) {
        try {
          Feature again = f.spec().resolve(v.name(), s.columns());
          if (again.type() != f.type()) {
            errors.add(
                where
                    + ": feature '"
                    + f.name()
                    + "' would change type from "
                    + f.type()
                    + " to "
                    + again.type()
                    + " with source '"
                    + s.name()
                    + "'");
          }
        } catch (DefinitionException e) {
          errors.add(
              where
                  + ": "
                  + e.getMessage().replaceFirst("^Cannot build feature view '[^']*': ", ""));
        }
      }
    }
    for (FeatureService svc : services.values()) {
      String where = "feature service '" + svc.name() + "'";
      for (Projection p : svc.projections()) {
        FeatureView v = views.get(p.view());
        if (v == null) {
          errors.add(where + ": feature view '" + p.view() + "' is not defined");
          continue;
        }
        for (String f : p.features()) {
          if (v.feature(f).isEmpty()) {
            errors.add(
                where + ": feature '" + f + "' does not exist in feature view '" + v.name() + "'");
          }
        }
      }
    }
    return errors;
  }

  /** Builds {@link Definitions}; names must be unique per kind. */
  public static final class Builder {
    private final Map<ObjectKind, Map<String, Definition>> byKind = new EnumMap<>(ObjectKind.class);

    private Builder() {
      for (ObjectKind k : ObjectKind.values()) {
        byKind.put(k, new TreeMap<>());
      }
    }

    /** Adds an {@link Entity}, {@link Source}, {@link FeatureView} or {@link FeatureService}. */
    public Builder add(Definition definition) {
      Objects.requireNonNull(definition, "definition");
      Map<String, Definition> map = byKind.get(definition.kind());
      Definition there = map.get(definition.name());
      if (there != null && !there.equals(definition)) {
        throw new DefinitionException(
            "Cannot build definitions: two different "
                + definition.kind().label()
                + "s are named '"
                + definition.name()
                + "'");
      }
      map.put(definition.name(), definition);
      return this;
    }

    public Builder addAll(Definition... definitions) {
      for (Definition d : definitions) {
        add(d);
      }
      return this;
    }

    /** Adds or replaces, by kind and name. */
    public Builder put(Definition definition) {
      remove(definition.kind(), definition.name());
      return add(definition);
    }

    public Builder remove(ObjectKind kind, String name) {
      byKind.get(kind).remove(name);
      return this;
    }

    public Definitions build() {
      return new Definitions(this);
    }
  }
}
