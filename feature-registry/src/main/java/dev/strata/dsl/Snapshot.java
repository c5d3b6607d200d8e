package dev.strata.dsl;

/**
 * One committed version of a table, in its format's own terms: a Delta version, an Iceberg snapshot
 * id, a Hudi commit instant. Parquet files have none.
 */
public record Snapshot(String id) {
  public Snapshot {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("a snapshot id cannot be empty");
    }
  }

  /** The id, or "" when there is no snapshot; how records and messages store an optional one. */
  public static String idOrEmpty(java.util.Optional<Snapshot> snapshot) {
    return snapshot.map(Snapshot::id).orElse("");
  }

  /** The snapshot with this id, or none for null or "". */
  public static java.util.Optional<Snapshot> ofNullable(String id) {
    return id == null || id.isEmpty()
        ? java.util.Optional.empty()
        : java.util.Optional.of(new Snapshot(id));
  }

  @Override
  public String toString() {
    return id;
  }
}
