package dev.strata.registry;

/** A directed lineage edge: {@code from} was read to produce {@code to}. */
public record LineageEdge(String from, String to) {
  @Override
  public String toString() {
    return from + " -> " + to;
  }
}
