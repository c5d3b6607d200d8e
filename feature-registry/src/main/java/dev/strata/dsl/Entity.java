package dev.strata.dsl;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named business key with one or more typed join-key columns.
 *
 * <pre>{@code
 * Entity airport = Entity.builder("airport").joinKey("origin", STRING).build();
 * Entity route = Entity.builder("route")
 *     .joinKey("origin", STRING).joinKey("destination", STRING).build();
 * }</pre>
 */
public final class Entity implements Definition {
  private final String name;
  private final List<JoinKey> joinKeys;
  private final Metadata metadata;

  private Entity(String name, List<JoinKey> joinKeys, Metadata metadata) {
    this.name = name;
    this.joinKeys = List.copyOf(joinKeys);
    this.metadata = metadata;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public ObjectKind kind() {
    return ObjectKind.ENTITY;
  }

  @Override
  public String name() {
    return name;
  }

  public List<JoinKey> joinKeys() {
    return joinKeys;
  }

  public Metadata metadata() {
    return metadata;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Entity
        && name.equals(((Entity) o).name)
        && joinKeys.equals(((Entity) o).joinKeys)
        && metadata.equals(((Entity) o).metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, joinKeys, metadata);
  }

  @Override
  public String toString() {
    return "entity " + name + joinKeys;
  }

  /** Builds an {@link Entity}; {@link #build()} validates. */
  public static final class Builder {
    private final String name;
    private final List<JoinKey> joinKeys = new ArrayList<>();
    private Metadata metadata = Metadata.EMPTY;

    private Builder(String name) {
      this.name = name;
    }

    public Builder joinKey(String column, ValueType type) {
      joinKeys.add(new JoinKey(column, type));
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

    public Entity build() {
      Names.checkObjectName("entity", name);
      if (joinKeys.isEmpty()) {
        throw DefinitionException.of("entity", name, "needs at least one join key");
      }
      Set<String> seen = new HashSet<>();
      for (JoinKey key : joinKeys) {
        Names.checkIdentifier("entity", name, "join key", key.name());
        Names.checkNotReserved("entity", name, "join key", key.name());
        if (key.type() == null) {
          throw DefinitionException.of("entity", name, "join key '%s' has no type", key.name());
        }
        if (!key.type().isJoinKeyType()) {
          throw DefinitionException.of(
              "entity",
              name,
              "join key '%s' has type %s; join keys must be STRING, INT32 or INT64",
              key.name(),
              key.type());
        }
        if (!seen.add(key.name())) {
          throw DefinitionException.of("entity", name, "join key '%s' appears twice", key.name());
        }
      }
      return new Entity(name, joinKeys, metadata);
    }
  }
}
