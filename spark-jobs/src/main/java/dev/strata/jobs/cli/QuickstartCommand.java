package dev.strata.jobs.cli;

import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.ObjectKind;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strata quickstart}: the README's main job. Registers the example flights repository in
 * the embedded registry and shows the plan, the registered objects and the lineage.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the example end to end on embedded defaults.",
      "Plans and applies the flights repository into the registry (.strata/registry unless --registry), list it and show its lineage."
    })
final class QuickstartCommand implements Callable<Integer> {
  static final String EXAMPLE_REPOSITORY = "flights";

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin RepositoryOptions repository = new RepositoryOptions();

  @Override
  public Integer call() {
    if (repository.name == null) {
      repository.name = EXAMPLE_REPOSITORY;
    }
    FeatureRepository repo = repository.load();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      out.println("== 1. plan: repository '" + repo.name() + "' against " + redacted());
      Plan plan = store.plan(repo.definitions(), ApplyOptions.defaults());
      out.print(Render.plan(plan));

      out.println();
      out.println("== 2. apply");
      ApplyResult applied = store.apply(repo.definitions(), ApplyOptions.defaults());
      out.println(
          applied.changed()
              ? "Applied: registry at revision " + applied.revision()
              : "Nothing to apply: already registered (revision " + applied.revision() + ")");

      out.println();
      out.println("== 3. registered objects");
      List<Registered<Object>> rows = new ArrayList<>();
      for (ObjectKind k : ObjectKind.values()) {
        rows.addAll(store.list(k));
      }
      out.print(Render.table(rows));

      out.println();
      out.println("== 4. lineage");
      for (Registered<Object> service : store.list(ObjectKind.FEATURE_SERVICE)) {
        out.print(store.upstream(service.nodeId()).render());
      }
      for (Registered<Object> source : store.list(ObjectKind.SOURCE)) {
        String table =
            store.upstream(source.nodeId()).nodes().values().stream()
                .filter(n -> n.kind().equals(LineageNode.TABLE))
                .map(LineageNode::id)
                .findFirst()
                .orElse(source.nodeId());
        out.print(store.downstream(table).render());
      }
      out.println();
      out.println(
          "Next: './strata describe feature-view origin_delays', './strata lineage "
              + "origin_delays --downstream'");
      return StrataCli.OK;
    }
  }

  private String redacted() {
    return dev.strata.registry.RegistryUrls.redact(registry.resolvedUrl());
  }
}
