package dev.strata.jobs.cli;

import dev.strata.dsl.FeatureRepository;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.Plan;
import dev.strata.registry.RegistryStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata plan}: what an apply would change, without changing anything. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Show what 'apply' would add, update or remove, and which changes are breaking.",
      "Writes nothing. Exit code 3 for invalid definitions."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin RepositoryOptions repository = new RepositoryOptions();

  @Option(
      names = "--prune",
      description = "Also plan to remove objects the repository no longer defines.")
  boolean prune;

  @Override
  public Integer call() {
    FeatureRepository repo = repository.load();
    try (RegistryStore store = registry.open()) {
      Plan plan = store.plan(repo.definitions(), ApplyOptions.defaults().withPrune(prune));
      spec.commandLine().getOut().print(Render.plan(plan));
      return StrataCli.OK;
    }
  }
}
