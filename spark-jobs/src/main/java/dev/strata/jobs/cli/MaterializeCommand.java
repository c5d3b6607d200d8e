package dev.strata.jobs.cli;

import dev.strata.materialization.Materializer;
import dev.strata.registry.RegistryStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata materialize} and {@code strata materialize-incremental}. */
final class MaterializeCommand {
  private MaterializeCommand() {}

  /** The online store to write to. */
  static final class RedisOptions {
    static final String ENV = "STRATA_REDIS_URL";

    @Option(names = "--redis", paramLabel = "URL",
        description = {"redis://host:port or redis-cluster://host:port,host:port.", "Default: $" + ENV + "."})
    String url;

    String resolved() {
      String u = url != null ? url : System.getenv(ENV);
      if (u == null || u.isBlank()) {
        throw new StrataCli.UsageException("no online store: give --redis URL or set " + ENV);
      }
      return u;
    }
  }

  static void print(PrintWriter out, Materializer.Result r) {
    out.println("Materialized " + r.view() + " v" + r.version() + " for " + r.start() + ".." + r.end() + ": "
        + r.rows() + " keys, " + r.written() + " written (the rest were older than Redis's values);"
        + " offline snapshot " + r.offlineSnapshot() + "; watermark now " + r.end());
  }

  @Command(name = "materialize", mixinStandardHelpOptions = true,
      description = {"Load a view's latest values in [start, end] from its offline table into Redis.",
          "Never replaces a stored value with an older one; reruns are idempotent."})
  static final class Batch implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin RedisOptions redis = new RedisOptions();

    @Parameters(index = "0", paramLabel = "VIEW") String view;

    @Option(names = "--start", required = true, paramLabel = "INSTANT", description = "e.g. 2001-01-01T00:00:00Z")
    Instant start;

    @Option(names = "--end", required = true, paramLabel = "INSTANT") Instant end;

    @Override
    public Integer call() {
      String url = redis.resolved();
      try (RegistryStore store = registry.open()) {
        SparkSession spark = sparkOptions.session("materialize " + view);
        print(spec.commandLine().getOut(), new Materializer(spark, store, url).materialize(view, start, end));
        return StrataCli.OK;
      }
    }
  }

  @Command(name = "materialize-incremental", mixinStandardHelpOptions = true,
      description = {"Materialize a view from its watermark (the end of its last completed run) to --end.",
          "The watermark advances only when every partition has written."})
  static final class Incremental implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin RedisOptions redis = new RedisOptions();

    @Parameters(index = "0", paramLabel = "VIEW") String view;

    @Option(names = "--end", paramLabel = "INSTANT", description = "Default: now.") Instant end;

    @Override
    public Integer call() {
      String url = redis.resolved();
      try (RegistryStore store = registry.open()) {
        SparkSession spark = sparkOptions.session("materialize " + view);
        print(spec.commandLine().getOut(),
            new Materializer(spark, store, url).materializeIncremental(view, end == null ? Instant.now() : end));
        return StrataCli.OK;
      }
    }
  }
}
