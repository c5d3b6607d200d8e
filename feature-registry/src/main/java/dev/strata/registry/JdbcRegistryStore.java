package dev.strata.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Source;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The registry on a JDBC database: embedded H2 by default, PostgreSQL in production. Opening a
 * store runs the schema migrations it lacks.
 */
public final class JdbcRegistryStore implements RegistryStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_APPLY_ATTEMPTS = 50;

  private final String url;
  private final Connection keeper;

  private JdbcRegistryStore(String url) {
    this.url = url;
    try {
      // An embedded H2 database closes with its last connection; keep one open meanwhile.
      this.keeper = url.startsWith("jdbc:h2:") ? DriverManager.getConnection(url) : null;
    } catch (SQLException e) {
      throw new RegistryException(
          "Cannot open the registry database " + RegistryUrls.redact(url) + ": " + e.getMessage(),
          e);
    }
  }

  /** Opens (and migrates) the registry at a JDBC URL. */
  public static JdbcRegistryStore open(String url) {
    JdbcRegistryStore store = new JdbcRegistryStore(url);
    try {
      Migrations.migrate(store::connect);
    } catch (SQLException e) {
      store.close();
      throw new RegistryException(
          "Cannot migrate the registry database " + RegistryUrls.redact(url) + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  public String url() {
    return url;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  private interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(Work<T> work) {
    try (Connection c = connect()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new RegistryException("Registry query failed: " + e.getMessage(), e);
    }
  }

  // ---------------------------------------------------------------- definitions

  @Override
  public long revision() {
    return read(JdbcRegistryStore::revision);
  }

  private static long revision(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT revision FROM registry_state WHERE id = 1");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private record State(long revision, Map<ObjectKind, Map<String, Registered<Object>>> objects) {}

  private State state() {
    return read(
        c -> {
          // The revision is read first: if an apply commits after this, our commit sees it.
          long revision = revision(c);
          Map<ObjectKind, Map<String, Registered<Object>>> objects = new EnumMap<>(ObjectKind.class);
          for (Registered<Object> r : query(c, CURRENT_SQL)) {
            objects.computeIfAbsent(r.kind(), k -> new TreeMap<>()).put(r.name(), r);
          }
          return new State(revision, objects);
        });
  }

  private static final String VERSION_COLUMNS =
      "v.kind, v.name, v.version, v.content_hash, v.revision, v.created_at, v.definition";
  private static final String CURRENT_SQL =
      "SELECT " + VERSION_COLUMNS + " FROM registry_objects o JOIN registry_versions v"
          + " ON v.kind = o.kind AND v.name = o.name AND v.version = o.current_version"
          + " WHERE o.removed = FALSE";

  private static List<Registered<Object>> query(Connection c, String sql, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<Registered<Object>> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new Registered<>(
                  ObjectKind.valueOf(rs.getString(1)),
                  rs.getString(2),
                  rs.getInt(3),
                  rs.getString(4),
                  rs.getLong(5),
                  Instant.ofEpochMilli(rs.getLong(6)),
                  DefinitionCodec.fromJson(rs.getString(7))));
        }
      }
      return out;
    }
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
      } catch (ConflictException e) {
        // Another apply committed since we read the state: plan again against the new one.
        sleepQuietly(ThreadLocalRandom.current().nextInt(5, 20 + attempt * 10));
      }
    }
    throw new ConcurrentApplyException(
        "Gave up after " + MAX_APPLY_ATTEMPTS + " attempts: other applies kept committing first;"
            + " nothing was applied");
  }

  /** Another apply committed first; this one rolled back. */
  private static final class ConflictException extends Exception {
    ConflictException() {
      super(null, null, false, false);
    }
  }

  private long commit(Plan plan, State state, ApplyOptions options) throws ConflictException {
    long now = System.currentTimeMillis();
    long next = state.revision() + 1;
    try (Connection c = connect()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE registry_state SET revision = ? WHERE id = 1 AND revision = ?")) {
          ps.setLong(1, next);
          ps.setLong(2, state.revision());
          if (ps.executeUpdate() != 1) {
            throw new ConflictException();
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
        LineagePlan lineage = lineageOf(plan, state);
        for (LineageNode n : lineage.nodes.values()) {
          insertNode(c, n);
        }
        for (LineageEdge e : lineage.edges) {
          insertEdge(c, e, now);
        }
        writeRun(c, applyRun(plan, lineage, next, options));
        c.commit();
        return next;
      } catch (ConflictException e) {
        c.rollback();
        throw e;
      } catch (SQLException e) {
        c.rollback();
        if (isConflict(e)) {
          throw new ConflictException();
        }
        throw e;
      } catch (RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (isConflict(e)) {
        throw new ConflictException();
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
      throws SQLException, ConflictException {
    if (ch.type() == ChangeType.REMOVE) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "UPDATE registry_objects SET removed = TRUE WHERE kind = ? AND name = ?"
                  + " AND current_version = ? AND removed = FALSE")) {
        ps.setString(1, ch.kind().name());
        ps.setString(2, ch.name());
        ps.setInt(3, ch.fromVersion());
        if (ps.executeUpdate() != 1) {
          throw new ConflictException();
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

  private static int latestVersion(Connection c, ObjectKind kind, String name)
      throws SQLException {
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

  // ---------------------------------------------------------------- lineage of an apply

  private static final class LineagePlan {
    final Map<String, LineageNode> nodes = new LinkedHashMap<>();
    final List<LineageEdge> edges = new ArrayList<>();

    void edge(String from, String to) {
      LineageEdge e = new LineageEdge(from, to);
      if (!edges.contains(e)) {
        edges.add(e);
      }
    }
  }

  /**
   * Nodes for the new versions, and edges: source table -> source -> feature view -> feature
   * service. A new version of an upstream object also links to the current versions of what
   * reads it by name, so lineage shows which versions a job combined.
   */
  private static LineagePlan lineageOf(Plan plan, State state) {
    Map<String, Integer> versionAfter = new HashMap<>();
    state.objects().forEach((k, m) -> m.forEach((n, r) -> versionAfter.put(key(k, n), r.version())));
    Map<String, Change> changed = new HashMap<>();
    for (Change ch : plan.changes()) {
      if (ch.type() != ChangeType.REMOVE) {
        // Re-adding a removed object continues its history; the apply computes the number.
        versionAfter.put(key(ch.kind(), ch.name()), ch.toVersion());
        changed.put(key(ch.kind(), ch.name()), ch);
      }
    }
    LineagePlan out = new LineagePlan();
    Definitions d = plan.desired();
    for (Change ch : changed.values()) {
      String id = LineageNode.definitionId(ch.kind(), ch.name(), ch.toVersion());
      out.nodes.put(
          id,
          new LineageNode(
              id,
              LineageNode.kindOf(ch.kind()),
              ch.name(),
              "v" + ch.toVersion(),
              Map.of("content_hash", ch.toHash()),
              Instant.now()));
      switch (ch.kind()) {
        case SOURCE:
          {
            Source s = (Source) ch.definition();
            String table = LineageNode.tableId(s.tableName());
            out.nodes.putIfAbsent(
                table,
                new LineageNode(
                    table, LineageNode.TABLE, s.tableName(), "", Map.of("format", s.format().name()),
                    Instant.now()));
            out.edge(table, id);
            for (FeatureView v : d.featureViews()) {
              if (v.source().equals(s.name())) {
                out.edge(id, versionId(ObjectKind.FEATURE_VIEW, v.name(), versionAfter));
              }
            }
            break;
          }
        case FEATURE_VIEW:
          {
            FeatureView v = (FeatureView) ch.definition();
            out.edge(versionId(ObjectKind.SOURCE, v.source(), versionAfter), id);
            for (FeatureService s : d.featureServices()) {
              for (Projection p : s.projections()) {
                if (p.view().equals(v.name())) {
                  out.edge(id, versionId(ObjectKind.FEATURE_SERVICE, s.name(), versionAfter));
                }
              }
            }
            break;
          }
        case FEATURE_SERVICE:
          {
            FeatureService s = (FeatureService) ch.definition();
            for (Projection p : s.projections()) {
              out.edge(versionId(ObjectKind.FEATURE_VIEW, p.view(), versionAfter), id);
            }
            break;
          }
        default:
          break;
      }
    }
    return out;
  }

  /** The apply itself, as a run: from the source tables it names to the versions it created. */
  private static RunRecord applyRun(Plan plan, LineagePlan lineage, long revision, ApplyOptions o) {
    List<String> inputs = new ArrayList<>();
    List<String> outputs = new ArrayList<>();
    for (LineageNode n : lineage.nodes.values()) {
      (n.kind().equals(LineageNode.TABLE) ? inputs : outputs).add(n.id());
    }
    return RunRecord.started(
            "strata.apply",
            inputs,
            Map.of(
                "revision", Long.toString(revision),
                "summary", plan.summary(),
                "applied_by", o.appliedBy()))
        .completed(outputs);
  }

  private static String key(ObjectKind kind, String name) {
    return kind.name() + "/" + name;
  }

  private static String versionId(ObjectKind kind, String name, Map<String, Integer> versions) {
    return LineageNode.definitionId(kind, name, versions.get(key(kind, name)));
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Definitions current() {
    Definitions.Builder b = Definitions.builder();
    state().objects().values().forEach(m -> m.values().forEach(r -> b.add(r.definition())));
    return b.build();
  }

  @Override
  public List<Registered<Object>> list(ObjectKind kind) {
    return read(c -> query(c, CURRENT_SQL + " AND o.kind = ? ORDER BY v.name", kind.name()));
  }

  @Override
  public Optional<Registered<Object>> get(ObjectKind kind, String name) {
    return read(c -> query(c, CURRENT_SQL + " AND o.kind = ? AND o.name = ?", kind.name(), name))
        .stream()
        .findFirst();
  }

  @Override
  public Optional<Registered<Object>> get(ObjectKind kind, String name, int version) {
    return read(
            c ->
                query(
                    c,
                    "SELECT " + VERSION_COLUMNS + " FROM registry_versions v"
                        + " WHERE v.kind = ? AND v.name = ? AND v.version = ?",
                    kind.name(),
                    name,
                    version))
        .stream()
        .findFirst();
  }

  @Override
  public List<Registered<Object>> history(ObjectKind kind, String name) {
    return read(
        c ->
            query(
                c,
                "SELECT " + VERSION_COLUMNS + " FROM registry_versions v"
                    + " WHERE v.kind = ? AND v.name = ? ORDER BY v.version",
                kind.name(),
                name));
  }

  // ---------------------------------------------------------------- lineage

  @Override
  public void recordLineage(List<LineageNode> nodes, List<LineageEdge> edges) {
    long now = System.currentTimeMillis();
    read(
        c -> {
          c.setAutoCommit(false);
          try {
            for (LineageNode n : nodes) {
              insertNode(c, n);
            }
            for (LineageEdge e : edges) {
              insertEdge(c, e, now);
            }
            c.commit();
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          }
          return null;
        });
  }

  @Override
  public LineageNode registerVersion(String kind, String name, Map<String, String> properties, List<String> inputs) {
    for (int attempt = 0; ; attempt++) {
      try {
        return read(c -> {
          c.setAutoCommit(false);
          try {
            int next = 1 + nodes(c, "WHERE kind = ? AND name = ?", kind, name).stream()
                .mapToInt(n -> versionNumber(n.version())).max().orElse(0);
            LineageNode node = LineageNode.of(kind, name, "v" + next, properties);
            try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO lineage_nodes (id, kind, name, version, properties, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
              ps.setString(1, node.id());
              ps.setString(2, kind);
              ps.setString(3, name);
              ps.setString(4, node.version());
              ps.setString(5, toJson(node.properties()));
              ps.setLong(6, node.createdAt().toEpochMilli());
              ps.executeUpdate(); // a concurrent registration of the same version fails here
            }
            long now = System.currentTimeMillis();
            for (String input : inputs) {
              insertEdge(c, new LineageEdge(input, node.id()), now);
            }
            c.commit();
            return node;
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          }
        });
      } catch (RegistryException e) {
        if (attempt >= 20) {
          throw e;
        }
      }
    }
  }

  @Override
  public List<LineageNode> versions(String kind, String name) {
    List<LineageNode> out = new ArrayList<>(read(c -> nodes(c, "WHERE kind = ? AND name = ?", kind, name)));
    out.removeIf(n -> versionNumber(n.version()) == 0);
    out.sort(java.util.Comparator.comparingInt(n -> versionNumber(n.version())));
    return out;
  }

  /** {@code vN} to N; 0 for anything else. */
  private static int versionNumber(String version) {
    if (version.length() > 1 && version.charAt(0) == 'v' && version.substring(1).chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(version.substring(1));
    }
    return 0;
  }

  private static void insertNode(Connection c, LineageNode n) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO lineage_nodes (id, kind, name, version, properties, created_at)"
                + " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM lineage_nodes WHERE id = ?)")) {
      ps.setString(1, n.id());
      ps.setString(2, n.kind());
      ps.setString(3, n.name());
      ps.setString(4, n.version());
      ps.setString(5, toJson(n.properties()));
      ps.setLong(6, n.createdAt().toEpochMilli());
      ps.setString(7, n.id());
      ps.executeUpdate();
    }
  }

  private static void insertEdge(Connection c, LineageEdge e, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO lineage_edges (from_id, to_id, created_at) SELECT ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM lineage_edges WHERE from_id = ? AND to_id = ?)")) {
      ps.setString(1, e.from());
      ps.setString(2, e.to());
      ps.setLong(3, now);
      ps.setString(4, e.from());
      ps.setString(5, e.to());
      ps.executeUpdate();
    }
  }

  private static final String NODE_SQL =
      "SELECT id, kind, name, version, properties, created_at FROM lineage_nodes";

  private static List<LineageNode> nodes(Connection c, String where, Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(NODE_SQL + " " + where)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<LineageNode> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(
              new LineageNode(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  fromJson(rs.getString(5)),
                  Instant.ofEpochMilli(rs.getLong(6))));
        }
      }
      return out;
    }
  }

  @Override
  public Optional<LineageNode> lineageNode(String id) {
    return read(c -> nodes(c, "WHERE id = ?", id)).stream().findFirst();
  }

  @Override
  public Optional<LineageNode> findLineageNode(String idOrName) {
    Optional<LineageNode> exact = lineageNode(idOrName);
    if (exact.isPresent()) {
      return exact;
    }
    List<LineageNode> candidates;
    int colon = idOrName.indexOf(':');
    if (colon > 0) {
      String kind = idOrName.substring(0, colon);
      String name = idOrName.substring(colon + 1);
      candidates = read(c -> nodes(c, "WHERE kind = ? AND name = ?", kind, name));
    } else {
      candidates = read(c -> nodes(c, "WHERE name = ?", idOrName));
      if (candidates.stream().map(LineageNode::kind).distinct().count() > 1) {
        return Optional.empty();
      }
    }
    // the newest version: definition versions sort by number, others by creation time
    return candidates.stream()
        .max(
            (a, b) -> {
              int byVersion = Integer.compare(versionNumber(a), versionNumber(b));
              return byVersion != 0 ? byVersion : a.createdAt().compareTo(b.createdAt());
            });
  }

  private static int versionNumber(LineageNode n) {
    String v = n.version();
    if (v.matches("v\\d+")) {
      return Integer.parseInt(v.substring(1));
    }
    return 0;
  }

  @Override
  public LineageGraph upstream(String nodeId) {
    return traverse(nodeId, true);
  }

  @Override
  public LineageGraph downstream(String nodeId) {
    return traverse(nodeId, false);
  }

  private LineageGraph traverse(String nodeId, boolean up) {
    return read(
        c -> {
          LineageNode root =
              nodes(c, "WHERE id = ?", nodeId).stream()
                  .findFirst()
                  .orElseThrow(
                      () -> new IllegalArgumentException("No lineage node '" + nodeId + "'"));
          Map<String, LineageNode> seen = new LinkedHashMap<>();
          seen.put(root.id(), root);
          List<LineageEdge> edges = new ArrayList<>();
          Deque<String> todo = new ArrayDeque<>(List.of(root.id()));
          String sql =
              up
                  ? "SELECT from_id, to_id FROM lineage_edges WHERE to_id = ?"
                  : "SELECT from_id, to_id FROM lineage_edges WHERE from_id = ?";
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            while (!todo.isEmpty()) {
              String id = todo.poll();
              ps.setString(1, id);
              List<LineageEdge> found = new ArrayList<>();
              try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                  found.add(new LineageEdge(rs.getString(1), rs.getString(2)));
                }
              }
              for (LineageEdge e : found) {
                edges.add(e);
                String other = up ? e.from() : e.to();
                if (!seen.containsKey(other)) {
                  nodes(c, "WHERE id = ?", other).forEach(n -> seen.put(n.id(), n));
                  seen.putIfAbsent(
                      other, new LineageNode(other, "unknown", other, "", Map.of(), Instant.EPOCH));
                  todo.add(other);
                }
              }
            }
          }
          return new LineageGraph(root, up, seen, edges);
        });
  }

  // ---------------------------------------------------------------- runs

  @Override
  public void recordRun(RunRecord run) {
    read(
        c -> {
          c.setAutoCommit(false);
          try {
            writeRun(c, run);
            c.commit();
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          }
          return null;
        });
  }

  private static void writeRun(Connection c, RunRecord run) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM runs WHERE id = ?")) {
      del.setString(1, run.id());
      del.executeUpdate();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs (id, job, status, started_at, ended_at, inputs, outputs,"
                + " properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, run.id());
      ps.setString(2, run.job());
      ps.setString(3, run.status().name());
      ps.setLong(4, micros(run.startedAt()));
      if (run.endedAt() == null) {
        ps.setNull(5, java.sql.Types.BIGINT);
      } else {
        ps.setLong(5, micros(run.endedAt()));
      }
      ps.setString(6, toJson(run.inputs()));
      ps.setString(7, toJson(run.outputs()));
      ps.setString(8, toJson(run.properties()));
      ps.executeUpdate();
    }
  }

  @Override
  public Optional<RunRecord> run(String id) {
    return read(c -> runs(c, "WHERE id = ?", id)).stream().findFirst();
  }

  @Override
  public List<RunRecord> runs() {
    return read(c -> runs(c, "ORDER BY started_at, id"));
  }

  private static List<RunRecord> runs(Connection c, String where, Object... args)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT id, job, status, started_at, ended_at, inputs, outputs, properties FROM runs "
                + where)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<RunRecord> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long ended = rs.getLong(5);
          boolean hasEnd = !rs.wasNull();
          out.add(
              new RunRecord(
                  rs.getString(1),
                  rs.getString(2),
                  RunRecord.Status.valueOf(rs.getString(3)),
                  instant(rs.getLong(4)),
                  hasEnd ? instant(ended) : null,
                  jsonList(rs.getString(6)),
                  jsonList(rs.getString(7)),
                  fromJson(rs.getString(8))));
        }
      }
      return out;
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Run times are kept in epoch microseconds, so that runs started in one millisecond keep their order. */
  private static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }

  private static Instant instant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
  }

  private static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> fromJson(String text) {
    try {
      return JSON.readValue(text, new TypeReference<TreeMap<String, String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Corrupt registry properties: " + text, e);
    }
  }

  private static List<String> jsonList(String text) {
    try {
      return JSON.readValue(text, new TypeReference<List<String>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Corrupt registry list: " + text, e);
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConcurrentApplyException("Interrupted while retrying an apply; nothing applied");
    }
  }

  @Override
  public void close() {
    if (keeper != null) {
      try {
        keeper.close();
      } catch (SQLException ignored) {
        // closing an embedded database that is already gone
      }
    }
  }
}
