package dev.strata.dsl;

/** A typed join-key column of an {@link Entity}. */
public record JoinKey(String name, ValueType type) {
  @Override
  public String toString() {
    return name + " " + type;
  }
}
