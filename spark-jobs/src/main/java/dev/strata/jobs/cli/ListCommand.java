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
      description = {
        "entities, sources, feature-views or feature-services (default: all),",
        "or runs: the job runs, newest first"
      })
  String kind;

  @picocli.CommandLine.Option(
      names = "--job",
      paramLabel = "JOB",
      description = "With runs: only this job, e.g. strata.stream, strata.backfill.")
  String job;

  @picocli.CommandLine.Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "20",
      description = "With runs: at most N (default ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if ("runs".equals(kind)) {
      return runs();
    }
    if (job != null) {
      throw new StrataCli.UsageException("--job goes with 'ls runs'");
    }
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

  /** The newest runs: id, job, status, start, end, and what each ran on (view, topic, batch...). */
  private int runs() {
    if (limit <= 0) {
      throw new StrataCli.UsageException("--limit must be positive");
    }
    try (RegistryStore store = registry.open()) {
      List<dev.strata.registry.RunRecord> runs =
          new ArrayList<>(
              store.runs(
                  job == null
                      ? dev.strata.registry.RunQuery.all()
                      : dev.strata.registry.RunQuery.job(new dev.strata.registry.JobKind(job))));
      runs.sort(
          java.util.Comparator.comparing(dev.strata.registry.RunRecord::startedAt).reversed());
      java.io.PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "%-36s  %-22s  %-9s  %-20s  %-20s  %s%n",
          "RUN", "JOB", "STATUS", "STARTED", "ENDED", "DETAILS");
      for (dev.strata.registry.RunRecord r : runs.subList(0, Math.min(limit, runs.size()))) {
        List<String> details = new ArrayList<>();
        for (String k :
            List.of(
                "view",
                "topic",
                "batch",
                "watermark",
                "rows",
                "dead_letters",
                "from",
                "to",
                "error")) {
          String v = r.properties().get(k);
          if (v != null) {
            details.add(k + "=" + (v.length() > 80 ? v.substring(0, 77) + "..." : v));
          }
        }
        out.printf(
            "%-36s  %-22s  %-9s  %-20s  %-20s  %s%n",
            r.id(),
            r.job(),
            r.status(),
            r.startedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            r.endedAt() == null
                ? "-"
                : r.endedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
            String.join(" ", details));
      }
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
