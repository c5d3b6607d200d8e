package dev.strata.jobs.cli;

import dev.strata.dsl.FeatureRepository;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.RegistryStore;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata apply}: registers a feature repository, all or nothing. */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Register the repository's definitions (all or nothing).",
      "New objects get v1, changed ones the next version, unchanged ones keep theirs. Exit code 3 for invalid definitions,",
      "4 for breaking changes without --allow-breaking."
    })
final class ApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin RepositoryOptions repository = new RepositoryOptions();

  @Option(names = "--prune", description = "Also remove objects the repository no longer defines.")
  boolean prune;

  @Option(
      names = "--allow-breaking",
      description = "Apply even when a change may break consumers (type changes, removals).")
  boolean allowBreaking;

  @Override
  public Integer call() {
    FeatureRepository repo = repository.load();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      ApplyOptions options =
          ApplyOptions.defaults().withPrune(prune).withAllowBreaking(allowBreaking);
      ApplyResult result = store.apply(repo.definitions(), options);
      out.print(Render.plan(result.plan()));
      out.println(
          result.changed()
              ? "Applied repository '"
                  + repo.name()
                  + "': registry at revision "
                  + result.revision()
              : "Repository '"
                  + repo.name()
                  + "' is already registered (revision "
                  + result.revision()
                  + ")");
      return StrataCli.OK;
    }
  }
}
