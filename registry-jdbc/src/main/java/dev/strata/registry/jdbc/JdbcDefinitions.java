package dev.strata.registry.jdbc;

import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.ObjectKind;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.BreakingChangeException;
import dev.strata.registry.Change;
import dev.strata.registry.ChangeType;
import dev.strata.registry.ConcurrentApplyException;
import dev.strata.registry.DefinitionCodec;
import dev.strata.registry.DefinitionStore;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Plan;
import dev.strata.registry.Planner;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/** The definitions of a JDBC registry: versions, plan and apply with optimistic concurrency. */
final class JdbcDefinitions implements DefinitionStore {
  private static final int MAX_APPLY_ATTEMPTS = 50;

  private final JdbcDatabase db;

  JdbcDefinitions(JdbcDatabase db) {
    this.db = db;
  }

  @Override
  public long revision() {
    return db.read(JdbcDefinitions::revision);
  }

  private static long revision(Connection c) throws SQLException {
    try (PreparedStatement ps =
            c.prepareStatement("SELECT revision FROM registry_state WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private record State(
      long revision, Map<ObjectKind, Map<String, Registered<Definition>>> objects) {}

  private State state() {
    return db.read(
        c -> {
          // The revision is read first: if an apply commits after this, our commit sees it.
          long revision = revision(c);
          Map<ObjectKind, Map<String, Registered<Definition>>> objects =
              new EnumMap<>(ObjectKind.class);
          for (Registered<Definition> r : query(c, CURRENT_SQL)) {
            objects.computeIfAbsent(r.kind(), k -> new TreeMap<>()).put(r.name(), r);
          }
          return new State(revision, objects);
        });
  }

  private static final String VERSION_COLUMNS =
      "v.kind, v.name, v.version, v.content_hash, v.revision, v.created_at, v.definition";
  private static final String CURRENT_SQL =
      "SELECT "
          + VERSION_COLUMNS
          + " FROM registry_objects o JOIN registry_versions v"
          + " ON v.kind = o.kind AND v.name = o.name AND v.version = o.current_version"
          + " WHERE o.removed = FALSE";

  private static List<Registered<Definition>> query(Connection c, String sql, Object... args)
      throws SQLException {
    return JdbcValues.query(
        c,
        sql,
        rs ->
            new Registered<>(
                ObjectKind.valueOf(rs.getString(1)),
                rs.getString(2),
                rs.getInt(3),
                rs.getString(4),
                rs.getLong(5),
                Instant.ofEpochMilli(rs.getLong(6)),
                DefinitionCodec.fromJson(rs.getString(7))),
        args);
  }

  @Override
  public Plan plan(Definitions repository, ApplyOptions options) {
    State s = state();
    return Planner.plan(s.revision(), s.objects(), repository, options);
  }

  @Override
  public ApplyResult apply(Definitions repository, ApplyOptions options) {
    for (int attempt = 1; attempt <= MAX_APPLY_ATTEMPTS; attempt++) {
      State s = state();
      Plan plan = Planner.plan(s.revision(), s.objects(), repository, options);
      if (plan.isEmpty()) {
        return new ApplyResult(s.revision(), plan, attempt);
      }
      if (plan.hasBreakingChanges() && !options.allowBreaking()) {
        throw new BreakingChangeException(plan);
      }
      try {
        long revision = commit(plan, s, options);
        return new ApplyResult(revision, plan, attempt);
      } catch (LostRace e) {
        // Another apply committed since we read the state: plan again against the new one.
        sleepQuietly(ThreadLocalRandom.current().nextInt(5, 20 + attempt * 10));
      }
    }
    throw new ConcurrentApplyException(
        "Gave up after "
            + MAX_APPLY_ATTEMPTS
            + " attempts: other applies kept committing first;"
            + " nothing was applied");
  }

  /** Another apply committed first; this one rolled back. */
  private static final class LostRace extends Exception {
    LostRace() {
      super(null, null, false, false);
    }
  }

  private long commit(Plan plan, State state, ApplyOptions options) throws LostRace {
    long now = System.currentTimeMillis();
    long next = state.revision() + 1;
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE registry_state SET revision = ? WHERE id = 1 AND revision = ?")) {
          ps.setLong(1, next);
          ps.setLong(2, state.revision());
          if (ps.executeUpdate() != 1) {
            throw new LostRace();
          }
        }
        for (Change ch : plan.changes()) {
          writeChange(c, ch, next, now);
        }
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO registry_revisions (revision, applied_at, applied_by, summary)"
                    + " VALUES (?, ?, ?, ?)")) {
          ps.setLong(1, next);
          ps.setLong(2, now);
          ps.setString(3, options.appliedBy());
          ps.setString(4, plan.summary());
          ps.executeUpdate();
        }
        ApplyLineage.LineagePlan lineage = ApplyLineage.lineageOf(plan, state.objects());
        for (LineageNode n : lineage.nodes.values()) {
          JdbcLineage.insertNode(c, n);
        }
        for (LineageEdge e : lineage.edges) {
          JdbcLineage.insertEdge(c, e, now);
        }
        JdbcRuns.writeRun(c, ApplyLineage.applyRun(plan, lineage, next, options));
        c.commit();
        return next;
      } catch (LostRace e) {
        c.rollback();
        throw e;
      } catch (SQLException e) {
        c.rollback();
        if (isConflict(e)) {
          throw new LostRace();
        }
        throw e;
      } catch (RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (isConflict(e)) {
        throw new LostRace();
      }
      throw new RegistryException("Apply failed, nothing applied: " + e.getMessage(), e);
    }
  }

  private static boolean isConflict(SQLException e) {
    String state = e.getSQLState();
    // unique violation, serialization failure, deadlock, H2 lock timeout / concurrent update
    return "23505".equals(state)
        || "40001".equals(state)
        || "40P01".equals(state)
        || "HYT00".equals(state)
        || (state != null && state.startsWith("90131"));
  }

  private static void writeChange(Connection c, Change ch, long revision, long now)
      throws SQLException, LostRace {
    if (ch.type() == ChangeType.REMOVE) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE registry_objects SET removed = TRUE WHERE kind = ? AND name = ?"
                  + " AND current_version = ? AND removed = FALSE")) {
        ps.setString(1, ch.kind().name());
        ps.setString(2, ch.name());
        ps.setInt(3, ch.fromVersion());
        if (ps.executeUpdate() != 1) {
          throw new LostRace();
        }
      }
      return;
    }
    int version = latestVersion(c, ch.kind(), ch.name()) + 1;
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO registry_versions (kind, name, version, content_hash, definition,"
                + " revision, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, ch.kind().name());
      ps.setString(2, ch.name());
      ps.setInt(3, version);
      ps.setString(4, ch.toHash());
      ps.setString(5, DefinitionCodec.toJson(ch.definition()));
      ps.setLong(6, revision);
      ps.setLong(7, now);
      ps.executeUpdate();
    }
    int updated;
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE registry_objects SET current_version = ?, removed = FALSE"
                + " WHERE kind = ? AND name = ?")) {
      ps.setInt(1, version);
      ps.setString(2, ch.kind().name());
      ps.setString(3, ch.name());
      updated = ps.executeUpdate();
    }
    if (updated == 0) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO registry_objects (kind, name, current_version, removed)"
                  + " VALUES (?, ?, ?, FALSE)")) {
        ps.setString(1, ch.kind().name());
        ps.setString(2, ch.name());
        ps.setInt(3, version);
        ps.executeUpdate();
      }
    }
  }

  private static int latestVersion(Connection c, ObjectKind kind, String name) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT COALESCE(MAX(version), 0) FROM registry_versions WHERE kind = ? AND name = ?")) {
      ps.setString(1, kind.name());
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Override
  public Definitions current() {
    Definitions.Builder b = Definitions.builder();
    state().objects().values().forEach(m -> m.values().forEach(r -> b.add(r.definition())));
    return b.build();
  }

  @Override
  public List<Registered<Definition>> list(ObjectKind kind) {
    return db.read(c -> query(c, CURRENT_SQL + " AND o.kind = ? ORDER BY v.name", kind.name()));
  }

  @Override
  public Optional<Registered<Definition>> get(ObjectKind kind, String name) {
    return db
        .read(c -> query(c, CURRENT_SQL + " AND o.kind = ? AND o.name = ?", kind.name(), name))
        .stream()
        .findFirst();
  }

  @Override
  public Optional<Registered<Definition>> get(ObjectKind kind, String name, int version) {
    return db
        .read(
            c ->
                query(
                    c,
                    "SELECT "
                        + VERSION_COLUMNS
                        + " FROM registry_versions v"
                        + " WHERE v.kind = ? AND v.name = ? AND v.version = ?",
                    kind.name(),
                    name,
                    version))
        .stream()
        .findFirst();
  }

  @Override
  public List<Registered<Definition>> history(ObjectKind kind, String name) {
    return db.read(
        c ->
            query(
                c,
                "SELECT "
                    + VERSION_COLUMNS
                    + " FROM registry_versions v"
                    + " WHERE v.kind = ? AND v.name = ? ORDER BY v.version",
                kind.name(),
                name));
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConcurrentApplyException("Interrupted while retrying an apply; nothing applied");
    }
  }
}
