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

  /** The graph as an indented tree, one node a line, starting at the root. */
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
    render(root.id().toString(), next, 1, new HashSet<>(), sb);
    return sb.toString();
  }

  private void render(
      String id, Map<String, List<String>> next, int depth, Set<String> path, StringBuilder sb) {
    if (!path.add(id)) {
      return;
    }
    for (String child : next.getOrDefault(id, List.of())) {
      sb.append("  ".repeat(depth)).append(upstream ? "<- " : "-> ").append(child).append('\n');
      render(child, next, depth + 1, path, sb);
    }
    path.remove(id);
  }
}
