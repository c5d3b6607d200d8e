package dev.strata.jobs.cli;

import dev.strata.dsl.Definition;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.VersionedName;
import dev.strata.errors.NotFoundException;
import dev.strata.registry.DefinitionCodec;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata describe}: one object's registered definition and its versions. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description = "Show a registered object's definition (its JSON form) and its version history.")
final class DescribeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description = "entity, source, feature-view or feature-service")
  String kind;

  @Parameters(
      index = "1",
      paramLabel = "NAME[@vN]",
      description = "The object's name; name@v1 shows version 1 instead of the current one.")
  String nameAndVersion;

  @Override
  public Integer call() {
    ObjectKind k = ListCommand.parseKind(kind);
    VersionedName parsed = VersionedName.parse(nameAndVersion);
    String name = parsed.name();
    Integer version = parsed.versionOrNull();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      List<Registered<Definition>> history = store.history(k, name);
      if (history.isEmpty()) {
        throw new NotFoundException(
            "No "
                + k.label()
                + " named '"
                + name
                + "' is registered: see what is registered with 'strata ls'");
      }
      Registered<Definition> shown =
          version == null
              ? store.get(k, name).orElse(history.get(history.size() - 1))
              : store
                  .get(k, name, version)
                  .orElseThrow(
                      () ->
                          new NotFoundException(
                              k.label()
                                  + " '"
                                  + name
                                  + "' has no version "
                                  + version
                                  + " (versions 1.."
                                  + history.size()
                                  + ")"));
      boolean removed = store.get(k, name).isEmpty();
      out.println(
          k.label()
              + " "
              + name
              + " v"
              + shown.version()
              + " ("
              + shown.contentHash()
              + ")"
              + (removed ? " -- removed from the registry" : ""));
      out.println(DefinitionCodec.toTree(shown.definition()).toPrettyString());
      out.println("versions:");
      for (Registered<Definition> r : history) {
        out.println(
            "  v"
                + r.version()
                + "  "
                + r.shortHash()
                + "  revision "
                + r.revision()
                + "  "
                + r.createdAt());
      }
      if (shown.definition() instanceof FeatureView view && !view.expectations().isEmpty()) {
        out.println("expectations:");
        StatsCommand.newestExpectations(store, view, shown.version()).forEach(out::println);
      }
      return StrataCli.OK;
    }
  }
}
