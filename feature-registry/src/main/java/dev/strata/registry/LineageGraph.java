package dev.strata.registry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The part of the lineage graph upstream or downstream of one node; its nodes by the text form of
 * their ids.
 *
 * @param root the node asked about
 * @param upstream true when the graph holds what {@code root} was made from
 */
public record LineageGraph(
    LineageNode root, boolean upstream, Map<String, LineageNode> nodes, List<LineageEdge> edges) {

  public LineageGraph {
    nodes = Map.copyOf(nodes);
    edges = List.copyOf(edges);
  }

  public boolean contains(String nodeId) {
    return nodes.containsKey(nodeId);
  }

  /**
   * The graph as an indented tree, one node a line, starting at the root. It is a DAG, not a tree:
   * a node reached again by another path is printed once more, marked {@value #SEEN}, without its
   * own nodes, which were listed where it first appeared.
   */
  public String render() {
    Map<String, List<String>> next = new TreeMap<>();
    for (LineageEdge e : edges) {
      String from = (upstream ? e.to() : e.from()).toString();
      String to = (upstream ? e.from() : e.to()).toString();
      next.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
    }
    next.values().forEach(l -> l.sort(String::compareTo));
    StringBuilder sb = new StringBuilder();
    sb.append(upstream ? "upstream of " : "downstream of ").append(root.id()).append('\n');
    Set<String> shown = new HashSet<>();
    shown.add(root.id().toString());
    render(root.id().toString(), next, 1, shown, sb);
    return sb.toString();
  }

  /** The mark of a node that was listed before, with what it was made from or into. */
  public static final String SEEN = " (see above)";

  private void render(
      String id, Map<String, List<String>> next, int depth, Set<String> shown, StringBuilder sb) {
    for (String child : next.getOrDefault(id, List.of())) {
      sb.append("  ".repeat(depth)).append(upstream ? "<- " : "-> ").append(child);
      if (!shown.add(child)) {
        sb.append(SEEN).append('\n');
        continue;
      }
      sb.append('\n');
      render(child, next, depth + 1, shown, sb);
    }
  }
}
