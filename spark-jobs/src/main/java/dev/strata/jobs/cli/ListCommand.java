package dev.strata.jobs.cli;

import dev.strata.dsl.Definition;
import dev.strata.dsl.ObjectKind;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata ls}: the registered objects, current versions. */
@Command(
    name = "ls",
    aliases = "list",
    mixinStandardHelpOptions = true,
    description = "List the current version of every registered object, or of one kind.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();

  @Parameters(
      arity = "0..1",
      paramLabel = "KIND",
      description = "entities, sources, feature-views or feature-services (default: all)")
  String kind;

  @Override
  public Integer call() {
    List<ObjectKind> kinds = kind == null ? List.of(ObjectKind.values()) : List.of(parseKind(kind));
    try (RegistryStore store = registry.open()) {
      List<Registered<Definition>> rows = new ArrayList<>();
      for (ObjectKind k : kinds) {
        rows.addAll(store.list(k));
      }
      spec.commandLine().getOut().print(Render.table(rows));
      return StrataCli.OK;
    }
  }

  static ObjectKind parseKind(String text) {
    try {
      return ObjectKind.parse(text);
    } catch (IllegalArgumentException e) {
      throw new StrataCli.UsageException(e.getMessage());
    }
  }
}
