package dev.strata.registry.jdbc;

import static dev.strata.registry.jdbc.JdbcValues.bind;
import static dev.strata.registry.jdbc.JdbcValues.instant;
import static dev.strata.registry.jdbc.JdbcValues.micros;
import static dev.strata.registry.jdbc.JdbcValues.toJson;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.TableLocation;
import dev.strata.registry.CatalogEntry;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.RegistryException;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunStore;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.Watermark;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs and the catalog they leave (offline tables, watermarks), in SQL; each query by an index. */
final class JdbcRuns implements RunStore {
  private final JdbcDatabase db;

  JdbcRuns(JdbcDatabase db) {
    this.db = db;
  }

  @Override
  public void recordRun(RunRecord run) {
    completeRun(run, List.of());
  }

  @Override
  public void completeRun(RunRecord run, List<CatalogEntry> entries) {
    db.transaction(
        c -> {
          writeRun(c, run);
          for (CatalogEntry e : entries) {
            record(c, e);
          }
          return null;
        });
  }

  @Override
  public Optional<RunRecord> run(String id) {
    return db.read(c -> runs(c, "WHERE id = ?", id)).stream().findFirst();
  }

  @Override
  public List<RunRecord> runs(RunQuery query) {
    return db.read(c -> runs(c, query));
  }

  @Override
  public Optional<OfflineTable> offlineTable(String view, int viewVersion) {
    return db
        .read(
            c ->
                offlineTables(
                    c,
                    " WHERE view_name = ? AND view_version = ? ORDER BY updated_at DESC",
                    view,
                    viewVersion))
        .stream()
        .findFirst();
  }

  @Override
  public List<OfflineTable> offlineTables() {
    return db.read(c -> offlineTables(c, " ORDER BY view_name, view_version, format"));
  }

  @Override
  public Optional<Watermark> watermark(String view, int viewVersion, String onlineStore) {
    return db
        .read(
            c ->
                watermarks(
                    c,
                    " WHERE view_name = ? AND view_version = ? AND online_store = ?",
                    view,
                    viewVersion,
                    onlineStore))
        .stream()
        .findFirst();
  }

  @Override
  public List<Watermark> watermarks() {
    return db.read(c -> watermarks(c, " ORDER BY view_name, view_version DESC, online_store"));
  }

  static void writeRun(Connection c, RunRecord run) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM runs WHERE id = ?")) {
      del.setString(1, run.id());
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs (id, job, status, started_at, ended_at, inputs, outputs, properties)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, run.id());
      ps.setString(2, run.job().id());
      ps.setString(3, run.status().name());
      ps.setLong(4, micros(run.startedAt()));
      if (run.endedAt() == null) {
        ps.setNull(5, java.sql.Types.BIGINT);
      } else {
        ps.setLong(5, micros(run.endedAt()));
      }
      ps.setString(6, toJson(run.inputs().stream().map(LineageId::toString).toList()));
      ps.setString(7, toJson(run.outputs().stream().map(LineageId::toString).toList()));
      ps.setString(8, toJson(run.properties()));
      ps.executeUpdate();
    }
  }

  static List<RunRecord> runs(Connection c, RunQuery q) throws SQLException {
    StringBuilder where = new StringBuilder();
    List<Object> args = new ArrayList<>();
    if (q.job().isPresent()) {
      where.append(" WHERE job = ?");
      args.add(q.job().get().id());
    }
    if (q.status().isPresent()) {
      where.append(where.length() == 0 ? " WHERE" : " AND").append(" status = ?");
      args.add(q.status().get().name());
    }
    return runs(c, where + " ORDER BY started_at, id", args.toArray());
  }

  static List<RunRecord> runs(Connection c, String where, Object... args) throws SQLException {
    return JdbcValues.query(
        c,
        "SELECT id, job, status, started_at, ended_at, inputs, outputs, properties FROM runs "
            + where,
        rs -> {
          long ended = rs.getLong(5);
          boolean hasEnd = !rs.wasNull();
          return new RunRecord(
              rs.getString(1),
              new JobKind(rs.getString(2)),
              RunRecord.Status.valueOf(rs.getString(3)),
              instant(rs.getLong(4)),
              hasEnd ? instant(ended) : null,
              ids(rs.getString(6)),
              ids(rs.getString(7)),
              JdbcValues.map(rs.getString(8)));
        },
        args);
  }

  static void record(Connection c, CatalogEntry entry) throws SQLException {
    if (entry instanceof OfflineTable t) {
      upsert(c, t);
    } else if (entry instanceof Watermark w) {
      advance(c, w);
    } else if (entry instanceof RunQuality q) {
      insertQuality(c, q);
    }
  }

  // ---------------------------------------------------------------- statistics and expectations

  @Override
  public void recordQuality(RunQuality quality) {
    db.transaction(
        c -> {
          insertQuality(c, quality);
          return null;
        });
  }

  @Override
  public Optional<RunQuality> quality(String runId) {
    return db.read(c -> quality(c, "WHERE run_id = ?", runId)).stream().findFirst();
  }

  @Override
  public List<RunQuality> quality(RunQuality.Subject subject) {
    return db.read(
        c ->
            quality(
                c,
                "WHERE subject_kind = ? AND subject_name = ? AND subject_version = ?"
                    + " ORDER BY recorded_at DESC",
                subject.kind(),
                subject.name(),
                subject.version()));
  }

  private static List<RunQuality> quality(Connection c, String where, Object... args)
      throws SQLException {
    return JdbcValues.query(
        c,
        "SELECT run_id, job, subject_kind, subject_name, subject_version, snapshot, recorded_at,"
            + " record FROM run_quality "
            + where,
        rs ->
            RunQuality.fromJson(
                rs.getString(1),
                new JobKind(rs.getString(2)),
                new RunQuality.Subject(rs.getString(3), rs.getString(4), rs.getInt(5)),
                Snapshot.ofNullable(rs.getString(6)),
                instant(rs.getLong(7)),
                rs.getString(8)),
        args);
  }

  /** One row per run: a run's findings are recorded once (a rerun is a new run). */
  private static void insertQuality(Connection c, RunQuality q) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM run_quality WHERE run_id = ?")) {
      del.setString(1, q.runId());
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO run_quality (run_id, job, subject_kind, subject_name, subject_version,"
                + " snapshot, passed, recorded_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      bind(
          ps,
          q.runId(),
          q.job().id(),
          q.subject().kind(),
          q.subject().name(),
          q.subject().version(),
          Snapshot.idOrEmpty(q.snapshot()),
          q.blocking().isEmpty(),
          micros(q.recordedAt()),
          q.toJson());
      ps.executeUpdate();
    }
  }

  /** The newest backfill of a view version into a format replaces what the catalog held for it. */
  static void upsert(Connection c, OfflineTable t) throws SQLException {
    try (PreparedStatement del =
        c.prepareStatement(
            "DELETE FROM offline_tables WHERE view_name = ? AND view_version = ? AND format = ?")) {
      bind(del, t.view(), t.viewVersion(), t.table().format().name());
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO offline_tables"
                + " (view_name, view_version, format, location, snapshot, run_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      bind(
          ps,
          t.view(),
          t.viewVersion(),
          t.table().format().name(),
          t.table().location(),
          t.snapshot().id(),
          t.runId(),
          micros(t.updatedAt()));
      ps.executeUpdate();
    }
  }

  /** A watermark only moves forward: an older end leaves it where it is. */
  static void advance(Connection c, Watermark w) throws SQLException {
    Optional<Watermark> now =
        watermarks(
                c,
                " WHERE view_name = ? AND view_version = ? AND online_store = ?",
                w.view(),
                w.viewVersion(),
                w.onlineStore())
            .stream()
            .findFirst();
    if (now.isPresent() && !w.end().isAfter(now.get().end())) {
      return;
    }
    try (PreparedStatement del =
        c.prepareStatement(
            "DELETE FROM watermarks WHERE view_name = ? AND view_version = ? AND online_store = ?")) {
      bind(del, w.view(), w.viewVersion(), w.onlineStore());
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO watermarks"
                + " (view_name, view_version, online_store, end_micros, run_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      bind(
          ps,
          w.view(),
          w.viewVersion(),
          w.onlineStore(),
          micros(w.end()),
          w.runId(),
          micros(w.recordedAt()));
      ps.executeUpdate();
    }
  }

  static List<OfflineTable> offlineTables(Connection c, String where, Object... args)
      throws SQLException {
    return JdbcValues.query(
        c,
        "SELECT view_name, view_version, format, location, snapshot, run_id, updated_at"
            + " FROM offline_tables"
            + where,
        rs ->
            new OfflineTable(
                rs.getString(1),
                rs.getInt(2),
                TableLocation.of(SourceFormat.valueOf(rs.getString(3)), rs.getString(4)),
                new Snapshot(rs.getString(5)),
                rs.getString(6),
                instant(rs.getLong(7))),
        args);
  }

  static List<Watermark> watermarks(Connection c, String where, Object... args)
      throws SQLException {
    return JdbcValues.query(
        c,
        "SELECT view_name, view_version, online_store, end_micros, run_id, recorded_at"
            + " FROM watermarks"
            + where,
        rs ->
            new Watermark(
                rs.getString(1),
                rs.getInt(2),
                rs.getString(3),
                instant(rs.getLong(4)),
                rs.getString(5),
                instant(rs.getLong(6))),
        args);
  }

  // ---------------------------------------------------------------- training sets and models

  @Override
  public TrainingSet registerTrainingSet(TrainingSet draft, List<LineageId> inputs) {
    return register(
        "training_sets",
        LineageNode.TRAINING_DATASET,
        draft.name(),
        draft.runId(),
        inputs,
        draft::withVersion,
        TrainingSet::toProperties);
  }

  @Override
  public List<TrainingSet> trainingSets(String name) {
    return db.read(
        c ->
            artifacts(
                c,
                "training_sets",
                name,
                rs ->
                    TrainingSet.fromProperties(
                        name, rs.getInt(1), rs.getString(2), JdbcValues.map(rs.getString(3)))));
  }

  @Override
  public ModelVersion registerModel(ModelVersion draft, List<LineageId> inputs) {
    return register(
        "models",
        LineageNode.MODEL,
        draft.name(),
        draft.runId(),
        inputs,
        draft::withVersion,
        ModelVersion::toProperties);
  }

  @Override
  public List<ModelVersion> models(String name) {
    return db.read(
        c ->
            artifacts(
                c,
                "models",
                name,
                rs ->
                    ModelVersion.fromProperties(
                        name, rs.getInt(1), rs.getString(2), JdbcValues.map(rs.getString(3)))));
  }

  private static <T> List<T> artifacts(
      Connection c, String table, String name, JdbcValues.RowMapper<T> row) throws SQLException {
    return JdbcValues.query(
        c,
        "SELECT version, node_id, record FROM " + table + " WHERE name = ? ORDER BY version",
        row,
        name);
  }

  /**
   * The next version of an artifact, its catalog row, lineage node and edges, in one transaction; a
   * concurrent registration of the same version fails on the table's key and tries again.
   */
  private <T> T register(
      String table,
      String kind,
      String name,
      String runId,
      List<LineageId> inputs,
      java.util.function.IntFunction<T> versioned,
      java.util.function.Function<T, Map<String, String>> stored) {
    for (int attempt = 0; ; attempt++) {
      try {
        return db.transaction(
            c -> {
              int next =
                  1
                      + JdbcValues.query(
                              c,
                              "SELECT COALESCE(MAX(version), 0) FROM " + table + " WHERE name = ?",
                              rs -> rs.getInt(1),
                              name)
                          .get(0);
              T artifact = versioned.apply(next);
              Map<String, String> props = stored.apply(artifact);
              LineageNode node = LineageNode.of(kind, name, "v" + next, props);
              insertArtifact(
                  c,
                  table,
                  name,
                  next,
                  node.id().toString(),
                  props,
                  runId,
                  node.createdAt().toEpochMilli());
              JdbcLineage.insertNode(c, node);
              long now = System.currentTimeMillis();
              for (LineageId input : inputs) {
                JdbcLineage.insertEdge(c, new LineageEdge(input, node.id()), now);
              }
              return artifact;
            });
      } catch (RegistryException e) {
        if (attempt >= 20) {
          throw e;
        }
      }
    }
  }

  static void insertArtifact(
      Connection c,
      String table,
      String name,
      int version,
      String nodeId,
      Map<String, String> props,
      String runId,
      long createdAt)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO "
                + table
                + " (name, version, node_id, record, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
      bind(ps, name, version, nodeId, toJson(props), runId, createdAt);
      ps.executeUpdate();
    }
  }

  /** Lineage ids stored as a JSON list of their text forms. */
  private static List<LineageId> ids(String json) {
    return JdbcValues.list(json).stream().map(LineageId::parse).toList();
  }
}
