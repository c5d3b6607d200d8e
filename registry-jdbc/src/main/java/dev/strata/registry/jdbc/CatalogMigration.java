package dev.strata.registry.jdbc;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.TableLocation;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.Watermark;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The data step of migration V3: what earlier versions kept only in run properties becomes catalog
 * rows. Every completed backfill, oldest first, sets its view version's offline table (its snapshot
 * from the run's output node); every completed materialization moves its watermark.
 */
final class CatalogMigration {

  private CatalogMigration() {}

  static void moveRunProperties(Connection c) throws SQLException {
    for (RunRecord r :
        JdbcRuns.runs(c, RunQuery.job(JobKind.BACKFILL).withStatus(RunRecord.Status.COMPLETED))) {
      Optional<OfflineTable> t = backfill(r);
      if (t.isPresent()) {
        JdbcRuns.upsert(c, t.get());
      }
    }
    for (RunRecord r :
        JdbcRuns.runs(
            c, RunQuery.job(JobKind.MATERIALIZE).withStatus(RunRecord.Status.COMPLETED))) {
      Optional<Watermark> w = watermark(r);
      if (w.isPresent()) {
        JdbcRuns.advance(c, w.get());
      }
    }
  }

  /**
   * A backfill run's table: format and location from its properties, version and snapshot from its
   * nodes.
   */
  static Optional<OfflineTable> backfill(RunRecord r) {
    Map<String, String> p = r.properties();
    String view = p.get("view");
    if (view == null || p.get("format") == null || p.get("location") == null) {
      return Optional.empty();
    }
    Integer version = null;
    for (LineageId id : r.inputs()) {
      if (id.kind().equals("feature_view")
          && id.name().equals(view)
          && id.version().matches("v\\d+")) {
        version = Integer.parseInt(id.version().substring(1));
      }
    }
    String snapshot = r.outputs().isEmpty() ? "" : r.outputs().get(0).version();
    if (version == null || snapshot.isEmpty()) {
      return Optional.empty();
    }
    TableLocation table =
        TableLocation.of(
            SourceFormat.valueOf(p.get("format").toUpperCase(Locale.ROOT)), p.get("location"));
    return Optional.of(
        new OfflineTable(
            view, version, table, new Snapshot(snapshot), r.id(), r.ended().orElse(r.startedAt())));
  }

  static Optional<Watermark> watermark(RunRecord r) {
    Map<String, String> p = r.properties();
    if (p.get("view") == null || p.get("version") == null || p.get("end") == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Watermark(
            p.get("view"),
            Integer.parseInt(p.get("version")),
            p.getOrDefault("online_store", ""),
            Instant.parse(p.get("end")),
            r.id(),
            r.ended().orElse(r.startedAt())));
  }

  /**
   * The data step of migration V4: every training set and model registered as a lineage node
   * ({@code training_dataset:NAME@vN}, {@code model:NAME@vN}) gets its catalog row.
   */
  static void moveArtifacts(Connection c) throws SQLException {
    for (String[] kt :
        new String[][] {{"training_dataset", "training_sets"}, {"model", "models"}}) {
      List<String[]> rows =
          JdbcValues.query(
              c,
              "SELECT id, name, version, properties, created_at FROM lineage_nodes WHERE kind = ?",
              rs ->
                  new String[] {
                    rs.getString(1),
                    rs.getString(2),
                    rs.getString(3),
                    rs.getString(4),
                    Long.toString(rs.getLong(5))
                  },
              kt[0]);
      for (String[] r : rows) {
        if (!r[2].matches("v\\d+")) {
          continue;
        }
        Map<String, String> props = JdbcValues.map(r[3]);
        JdbcRuns.insertArtifact(
            c,
            kt[1],
            r[1],
            Integer.parseInt(r[2].substring(1)),
            r[0],
            props,
            props.getOrDefault("run", ""),
            Long.parseLong(r[4]));
      }
    }
  }
}
