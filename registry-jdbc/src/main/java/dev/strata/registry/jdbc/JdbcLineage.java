package dev.strata.registry.jdbc;

import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.LineageStore;
import dev.strata.registry.RegistryException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The lineage graph of a JDBC registry: nodes, edges, versioned artifacts, traversals. */
final class JdbcLineage implements LineageStore {
  private final JdbcDatabase db;

  JdbcLineage(JdbcDatabase db) {
    this.db = db;
  }

  @Override
  public void recordLineage(List<LineageNode> nodes, List<LineageEdge> edges) {
    long now = System.currentTimeMillis();
    db.transaction(
        c -> {
          for (LineageNode n : nodes) {
            insertNode(c, n);
          }
          for (LineageEdge e : edges) {
            insertEdge(c, e, now);
          }
          return null;
        });
  }

  @Override
  public LineageNode registerVersion(
      String kind, String name, Map<String, String> properties, List<String> inputs) {
    for (int attempt = 0; ; attempt++) {
      try {
        return db.transaction(
            c -> {
              int next =
                  1
                      + nodes(c, "WHERE kind = ? AND name = ?", kind, name).stream()
                          .mapToInt(n -> versionNumber(n.version()))
                          .max()
                          .orElse(0);
              LineageNode node = LineageNode.of(kind, name, "v" + next, properties);
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "INSERT INTO lineage_nodes (id, kind, name, version, properties, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, node.id().toString());
                ps.setString(2, kind);
                ps.setString(3, name);
                ps.setString(4, node.version());
                ps.setString(5, JdbcValues.toJson(node.properties()));
                ps.setLong(6, node.createdAt().toEpochMilli());
                ps.executeUpdate(); // a concurrent registration of the same version fails here
              }
              long now = System.currentTimeMillis();
              for (String input : inputs) {
                insertEdge(c, new LineageEdge(LineageId.parse(input), node.id()), now);
              }
              return node;
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
    List<LineageNode> out =
        new ArrayList<>(db.read(c -> nodes(c, "WHERE kind = ? AND name = ?", kind, name)));
    out.removeIf(n -> versionNumber(n.version()) == 0);
    out.sort(java.util.Comparator.comparingInt(n -> versionNumber(n.version())));
    return out;
  }

  /** {@code vN} to N; 0 for anything else. */
  private static int versionNumber(String version) {
    if (version.length() > 1
        && version.charAt(0) == 'v'
        && version.substring(1).chars().allMatch(Character::isDigit)) {
      return Integer.parseInt(version.substring(1));
    }
    return 0;
  }

  static void insertNode(Connection c, LineageNode n) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO lineage_nodes (id, kind, name, version, properties, created_at)"
                + " SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS"
                + " (SELECT 1 FROM lineage_nodes WHERE id = ?)")) {
      ps.setString(1, n.id().toString());
      ps.setString(2, n.kind());
      ps.setString(3, n.name());
      ps.setString(4, n.version());
      ps.setString(5, JdbcValues.toJson(n.properties()));
      ps.setLong(6, n.createdAt().toEpochMilli());
      ps.setString(7, n.id().toString());
      ps.executeUpdate();
    }
  }

  static void insertEdge(Connection c, LineageEdge e, long now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO lineage_edges (from_id, to_id, created_at) SELECT ?, ?, ?"
                + " WHERE NOT EXISTS (SELECT 1 FROM lineage_edges WHERE from_id = ? AND to_id = ?)")) {
      ps.setString(1, e.from().toString());
      ps.setString(2, e.to().toString());
      ps.setLong(3, now);
      ps.setString(4, e.from().toString());
      ps.setString(5, e.to().toString());
      ps.executeUpdate();
    }
  }

  private static final String NODE_SQL =
      "SELECT id, kind, name, version, properties, created_at FROM lineage_nodes";

  private static List<LineageNode> nodes(Connection c, String where, Object... args)
      throws SQLException {
    return JdbcValues.query(
        c,
        NODE_SQL + " " + where,
        rs ->
            new LineageNode(
                new LineageId(rs.getString(2), rs.getString(3), rs.getString(4)),
                JdbcValues.map(rs.getString(5)),
                Instant.ofEpochMilli(rs.getLong(6))),
        args);
  }

  @Override
  public Optional<LineageNode> lineageNode(String id) {
    return db.read(c -> nodes(c, "WHERE id = ?", id)).stream().findFirst();
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
      candidates = db.read(c -> nodes(c, "WHERE kind = ? AND name = ?", kind, name));
    } else {
      candidates = db.read(c -> nodes(c, "WHERE name = ?", idOrName));
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
    return db.read(
        c -> {
          LineageNode root =
              nodes(c, "WHERE id = ?", nodeId).stream()
                  .findFirst()
                  .orElseThrow(
                      () -> new IllegalArgumentException("No lineage node '" + nodeId + "'"));
          Map<String, LineageNode> seen = new LinkedHashMap<>();
          seen.put(root.id().toString(), root);
          List<LineageEdge> edges = new ArrayList<>();
          Deque<String> todo = new ArrayDeque<>(List.of(root.id().toString()));
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
                  found.add(new LineageEdge(id(rs.getString(1)), id(rs.getString(2))));
                }
              }
              for (LineageEdge e : found) {
                edges.add(e);
                String other = (up ? e.from() : e.to()).toString();
                if (!seen.containsKey(other)) {
                  nodes(c, "WHERE id = ?", other).forEach(n -> seen.put(n.id().toString(), n));
                  // an edge to a node that was never recorded: shown by its id alone
                  seen.putIfAbsent(other, new LineageNode(id(other), Map.of(), Instant.EPOCH));
                  todo.add(other);
                }
              }
            }
          }
          return new LineageGraph(root, up, seen, edges);
        });
  }

  /** An id as the registry stores it; one that does not parse stays readable as an unknown node. */
  private static LineageId id(String text) {
    try {
      return LineageId.parse(text);
    } catch (IllegalArgumentException e) {
      return new LineageId("unknown", text, "");
    }
  }
}
