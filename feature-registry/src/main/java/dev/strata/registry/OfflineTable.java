package dev.strata.registry;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import java.time.Instant;
import java.util.Objects;

/**
 * A feature view version's offline table, as its newest backfill left it: where it is, in which
 * format, and the snapshot that backfill committed.
 *
 * <pre>{@code
 * OfflineTable t = registry.offlineTable("origin_delays", 2).orElseThrow();
 * Tables.read(spark, t.table(), Optional.of(t.snapshot()));
 * }</pre>
 *
 * @param runId the backfill run that committed {@code snapshot}
 */
public record OfflineTable(
    String view,
    int viewVersion,
    TableLocation table,
    Snapshot snapshot,
    String runId,
    Instant updatedAt)
    implements CatalogEntry {
  public OfflineTable {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(table, "table");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (viewVersion < 1) {
      throw new IllegalArgumentException(
          "offline table of '" + view + "': version " + viewVersion + " is not a version");
    }
  }
}
