package dev.strata.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The lineage part of the registry: nodes and edges from source tables to models. */
public interface LineageStore {

  /** Adds nodes and edges; ones that exist already are kept as they are. */
  void recordLineage(List<LineageNode> nodes, List<LineageEdge> edges);

  Optional<LineageNode> lineageNode(String id);

  /**
   * Finds a node by id, or by {@code kind:name} without a version (the newest version), or by a
   * plain name when it is unambiguous.
   */
  Optional<LineageNode> findLineageNode(String idOrName);

  /** Everything the node was made from, transitively. */
  LineageGraph upstream(String nodeId);

  /** Everything made from the node, transitively. */
  LineageGraph downstream(String nodeId);

  /**
   * Registers the next version ({@code v1}, {@code v2}, ...) of a versioned artifact, a training
   * dataset or a model, as a lineage node {@code kind:name@vN} with edges from its inputs: all in
   * one transaction. Two processes registering the same name at once get different versions.
   */
  LineageNode registerVersion(
      String kind, String name, Map<String, String> properties, List<String> inputs);

  /** Every version of an artifact registered with {@link #registerVersion}, oldest first. */
  List<LineageNode> versions(String kind, String name);
}
