package dev.strata.registry;

/**
 * The feature registry: every version of every definition ({@link DefinitionStore}), the lineage
 * between sources, views, tables, runs and models ({@link LineageStore}), and the runs with the
 * catalog they leave ({@link RunStore}), and the drift checks of views ({@link DriftStore}).
 *
 * <pre>{@code
 * try (RegistryStore registry = JdbcRegistryStore.open(RegistryUrls.embedded(dir))) {
 *   Plan plan = registry.plan(repository.definitions(), ApplyOptions.defaults());
 *   registry.apply(repository.definitions(), ApplyOptions.defaults());
 *   Optional<FeatureView> view = registry.featureView("origin_delays");
 * }
 * }</pre>
 */
public interface RegistryStore
    extends DefinitionStore, LineageStore, RunStore, DriftStore, AutoCloseable {
  @Override
  void close();
}
