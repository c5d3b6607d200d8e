package dev.strata.registry;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Source;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The feature registry: every version of every definition, the lineage between sources, views,
 * tables, runs and models, and the runs themselves.
 *
 * <pre>{@code
 * try (RegistryStore registry = JdbcRegistryStore.open(RegistryUrls.embedded(dir))) {
 *   Plan plan = registry.plan(repository.definitions(), ApplyOptions.defaults());
 *   registry.apply(repository.definitions(), ApplyOptions.defaults());
 *   Optional<FeatureView> view = registry.featureView("origin_delays");
 * }
 * }</pre>
 */
public interface RegistryStore extends AutoCloseable {

  /** The number of applies that changed something; 0 for an empty registry. */
  long revision();

  /**
   * What {@link #apply} would do, without writing anything.
   *
   * @throws InvalidDefinitionsException when the result would be inconsistent
   */
  Plan plan(Definitions repository, ApplyOptions options);

  /**
   * Registers the repository's definitions: all or nothing. An object whose content is unchanged
   * keeps its version; a changed one gets the next version. Concurrent applies are serialized by
   * optimistic concurrency: one that loses re-plans against the new state and tries again.
   *
   * @throws InvalidDefinitionsException when the result would be inconsistent
   * @throws BreakingChangeException when a change is breaking and the options do not allow it
   */
  ApplyResult apply(Definitions repository, ApplyOptions options);

  /** The current definitions of every object. */
  Definitions current();

  /** The current versions of one kind, sorted by name. */
  List<Registered<Object>> list(ObjectKind kind);

  Optional<Registered<Object>> get(ObjectKind kind, String name);

  Optional<Registered<Object>> get(ObjectKind kind, String name, int version);

  /** Every version of an object, oldest first (also of a removed one). */
  List<Registered<Object>> history(ObjectKind kind, String name);

  default Optional<Entity> entity(String name) {
    return get(ObjectKind.ENTITY, name).map(r -> (Entity) r.definition());
  }

  default Optional<Source> source(String name) {
    return get(ObjectKind.SOURCE, name).map(r -> (Source) r.definition());
  }

  default Optional<FeatureView> featureView(String name) {
    return get(ObjectKind.FEATURE_VIEW, name).map(r -> (FeatureView) r.definition());
  }

  default Optional<FeatureService> featureService(String name) {
    return get(ObjectKind.FEATURE_SERVICE, name).map(r -> (FeatureService) r.definition());
  }

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
  LineageNode registerVersion(String kind, String name, Map<String, String> properties, List<String> inputs);

  /** Every version of an artifact registered with {@link #registerVersion}, oldest first. */
  List<LineageNode> versions(String kind, String name);

  /** Records a run, or updates it (same id) when it ends. */
  void recordRun(RunRecord run);

  Optional<RunRecord> run(String id);

  /** All runs, oldest first. */
  List<RunRecord> runs();

  @Override
  void close();
}
