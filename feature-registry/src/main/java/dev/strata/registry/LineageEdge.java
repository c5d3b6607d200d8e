package dev.strata.registry;

/** A directed lineage edge: {@code from} was read to produce {@code to}. */
public record LineageEdge(LineageId from, LineageId to) {
  public LineageEdge {
    java.util.Objects.requireNonNull(from, "from");
    java.util.Objects.requireNonNull(to, "to");
  }

  @Override
  public String toString() {
    return from + " -> " + to;
  }
}
