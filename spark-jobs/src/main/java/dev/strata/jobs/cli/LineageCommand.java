package dev.strata.jobs.cli;

import dev.strata.errors.NotFoundException;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.OpenLineageExporter;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata lineage}: what a node was made from, or what was made from it. */
@Command(
    name = "lineage",
    mixinStandardHelpOptions = true,
    description = {
      "Show the lineage upstream (default) or downstream of a node.",
      "A node is a table, a definition version (feature_view:origin_delays@v2), a run, a dataset or a model. A name without a",
      "version means the newest version."
    })
final class LineageCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();

  @Parameters(index = "0", paramLabel = "NODE", description = "Node id, kind:name, or a name")
  String node;

  @Option(names = "--downstream", description = "Show what was made from the node.")
  boolean downstream;

  @Option(
      names = "--export-openlineage",
      paramLabel = "FILE|URL",
      description = "Also export the runs that touch these nodes as OpenLineage events.")
  String export;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      LineageNode root =
          store
              .findLineageNode(node)
              .orElseThrow(
                  () ->
                      new NotFoundException(
                          "No lineage node '"
                              + node
                              + "': name one as kind:name[@vN] (feature_view:origin_delays,"
                              + " model:delay_model@v1, table:parquet:PATH) or by a name from"
                              + " 'strata ls'"));
      LineageGraph graph =
          downstream
              ? store.downstream(root.id().toString())
              : store.upstream(root.id().toString());
      out.print(graph.render());
      if (export != null) {
        List<RunRecord> runs =
            store.runs().stream()
                .filter(
                    r ->
                        r.inputs().stream().map(LineageId::toString).anyMatch(graph::contains)
                            || r.outputs().stream()
                                .map(LineageId::toString)
                                .anyMatch(graph::contains))
                .toList();
        try (OpenLineageExporter exporter = exporter(export)) {
          int sent = exporter.export(runs);
          out.println(
              "Exported " + sent + " OpenLineage events of " + runs.size() + " runs to " + export);
        }
      }
      return StrataCli.OK;
    }
  }

  private static OpenLineageExporter exporter(String target) {
    if (target.startsWith("http://") || target.startsWith("https://")) {
      return OpenLineageExporter.toHttp(URI.create(target));
    }
    return OpenLineageExporter.toFile(Path.of(target));
  }
}
