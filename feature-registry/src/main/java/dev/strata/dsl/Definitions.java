package dev.strata.dsl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A set of definitions: what a {@link FeatureRepository} declares, or what the registry holds.
 * Names are unique per kind. {@link #referenceErrors()} checks that every reference resolves
 * inside the set.
 *
 * <pre>{@code
 * Definitions defs = Definitions.builder().add(airport).add(flights).add(originDelays).build();
 * }</pre>
 */
public final class Definitions {
  private final Map<String, Entity> entities;
  private final Map<String, Source> sources;
  private final Map<String, FeatureView> views;
  private final Map<String, FeatureService> services;

  private Definitions(Builder b) {
    this.entities = Collections.unmodifiableMap(new TreeMap<>(b.entities));
    this.sources = Collections.unmodifiableMap(new TreeMap<>(b.sources));
    this.views = Collections.unmodifiableMap(new TreeMap<>(b.views));
    this.services = Collections.unmodifiableMap(new TreeMap<>(b.services));
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

  /** The definition of a kind and name, as its DSL object. */
  public Optional<Object> get(ObjectKind kind, String name) {
    return Optional.ofNullable(map(kind).get(name));
  }

  /** Names of one kind, sorted. */
  public List<String> names(ObjectKind kind) {
    return new ArrayList<>(map(kind).keySet());
  }

  private Map<String, ?> map(ObjectKind kind) {
    switch (kind) {
      case ENTITY:
        return entities;
      case SOURCE:
        return sources;
      case FEATURE_VIEW:
        return views;
      default:
        return services;
    }
  }

  public boolean isEmpty() {
    return entities.isEmpty() && sources.isEmpty() && views.isEmpty() && services.isEmpty();
  }

  /**
   * Every reference that does not resolve inside this set, as messages naming the object, the
   * field and the value; empty when the set is consistent.
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
              where + ": join key '" + k.name() + "' (" + k.type() + ") is "
                  + (found == null ? "missing from" : found + " in") + " source '" + s.name()
                  + "'");
        }
      }
      for (Feature f : v.features()) {
        try {
          Feature again = f.resolve(v.name(), s.columns());
          if (again.type() != f.type()) {
            errors.add(
                where + ": feature '" + f.name() + "' would change type from " + f.type()
                    + " to " + again.type() + " with source '" + s.name() + "'");
          }
        } catch (DefinitionException e) {
          errors.add(where + ": " + e.getMessage().replaceFirst("^Cannot build feature view '[^']*': ", ""));
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
                where + ": feature '" + f + "' does not exist in feature view '" + v.name()
                    + "'");
          }
        }
      }
    }
    return errors;
  }

  /** Builds {@link Definitions}; names must be unique per kind. */
  public static final class Builder {
    private final Map<String, Entity> entities = new TreeMap<>();
    private final Map<String, Source> sources = new TreeMap<>();
    private final Map<String, FeatureView> views = new TreeMap<>();
    private final Map<String, FeatureService> services = new TreeMap<>();

    private Builder() {}

    /** Adds an {@link Entity}, {@link Source}, {@link FeatureView} or {@link FeatureService}. */
    public Builder add(Object definition) {
      Objects.requireNonNull(definition, "definition");
      if (definition instanceof Entity) {
        put(entities, ObjectKind.ENTITY, ((Entity) definition).name(), (Entity) definition);
      } else if (definition instanceof Source) {
        put(sources, ObjectKind.SOURCE, ((Source) definition).name(), (Source) definition);
      } else if (definition instanceof FeatureView) {
        FeatureView v = (FeatureView) definition;
        put(views, ObjectKind.FEATURE_VIEW, v.name(), v);
      } else if (definition instanceof FeatureService) {
        FeatureService s = (FeatureService) definition;
        put(services, ObjectKind.FEATURE_SERVICE, s.name(), s);
      } else {
        throw new IllegalArgumentException(
            "Not a definition: " + definition.getClass().getName());
      }
      return this;
    }

    public Builder addAll(Object... definitions) {
      for (Object d : definitions) {
        add(d);
      }
      return this;
    }

    /** Adds or replaces, by kind and name. */
    public Builder put(Object definition) {
      remove(kindOf(definition), nameOf(definition));
      return add(definition);
    }

    public Builder remove(ObjectKind kind, String name) {
      switch (kind) {
        case ENTITY:
          entities.remove(name);
          break;
        case SOURCE:
          sources.remove(name);
          break;
        case FEATURE_VIEW:
          views.remove(name);
          break;
        default:
          services.remove(name);
      }
      return this;
    }

    private static <T> void put(Map<String, T> map, ObjectKind kind, String name, T value) {
      if (map.containsKey(name) && !map.get(name).equals(value)) {
        throw new DefinitionException(
            "Cannot build definitions: two different " + kind.label() + "s are named '" + name
                + "'");
      }
      map.put(name, value);
    }

    public Definitions build() {
      return new Definitions(this);
    }
  }

  public static ObjectKind kindOf(Object definition) {
    if (definition instanceof Entity) {
      return ObjectKind.ENTITY;
    }
    if (definition instanceof Source) {
      return ObjectKind.SOURCE;
    }
    if (definition instanceof FeatureView) {
      return ObjectKind.FEATURE_VIEW;
    }
    if (definition instanceof FeatureService) {
      return ObjectKind.FEATURE_SERVICE;
    }
    throw new IllegalArgumentException("Not a definition: " + definition);
  }

  public static String nameOf(Object definition) {
    if (definition instanceof Entity) {
      return ((Entity) definition).name();
    }
    if (definition instanceof Source) {
      return ((Source) definition).name();
    }
    if (definition instanceof FeatureView) {
      return ((FeatureView) definition).name();
    }
    if (definition instanceof FeatureService) {
      return ((FeatureService) definition).name();
    }
    throw new IllegalArgumentException("Not a definition: " + definition);
  }
}
