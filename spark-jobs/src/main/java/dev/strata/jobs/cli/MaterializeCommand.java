package dev.strata.jobs.cli;

import dev.strata.errors.NotFoundException;
import dev.strata.materialization.Materializer;
import dev.strata.online.RedisEndpoint;
import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.Watermark;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    @Option(
        names = "--redis",
        paramLabel = "URL",
        description = {
          "redis://host:port or redis-cluster://host:port,host:port.",
          "Default: $" + ENV + "."
        })
    String url;

    String resolved() {
      String u = url != null ? url : System.getenv(ENV);
      if (u == null || u.isBlank()) {
        throw new StrataCli.UsageException("no online store: give --redis URL or set " + ENV);
      }
      try {
        RedisEndpoint.parse(u);
      } catch (IllegalArgumentException e) {
        throw new StrataCli.UsageException("--redis: " + e.getMessage());
      }
      return u;
    }

    /** The URL, checked before any Spark work: it parses, Redis answers, the password is right. */
    String reachable() {
      String u = resolved();
      try (RedisOnlineStore store = RedisOnlineStore.connect(u)) {
        store.check();
      }
      return u;
    }
  }

  static void print(PrintWriter out, Materializer m, Materializer.Result r) {
    out.println(
        "Materialized "
            + r.view()
            + " v"
            + r.version()
            + " for "
            + r.start()
            + ".."
            + r.end()
            + ": "
            + r.rows()
            + " keys, "
            + r.written()
            + " written (the rest were older than Redis's values);"
            + " offline snapshot "
            + r.offlineSnapshot()
            + "; watermark now "
            + m.watermark(r.view()).map(Instant::toString).orElse("none"));
  }

  @Command(
      name = "materialize",
      mixinStandardHelpOptions = true,
      description = {
        "Load a view's latest values in [start, end] from its offline table into Redis.",
        "Never replaces a stored value with an older one; reruns are idempotent."
      })
  static final class Batch implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin RedisOptions redis = new RedisOptions();

    @Parameters(index = "0", paramLabel = "VIEW")
    String view;

    @Option(
        names = "--start",
        required = true,
        paramLabel = "INSTANT",
        description = "e.g. 2001-01-01T00:00:00Z")
    Instant start;

    @Option(names = "--end", required = true, paramLabel = "INSTANT")
    Instant end;

    @Override
    public Integer call() {
      String url = redis.reachable();
      try (RegistryStore store = registry.open()) {
        requireView(store, view);
        SparkSession spark = sparkOptions.session("materialize " + view);
        Materializer m = new Materializer(spark, store, url);
        print(
            spec.commandLine().getOut(),
            m,
            SparkOptions.reported(
                spark, "materialize " + view, () -> m.materialize(view, start, end)));
        return StrataCli.OK;
      }
    }
  }

  @Command(
      name = "materialize-incremental",
      mixinStandardHelpOptions = true,
      description = {
        "Materialize a view from its watermark (the end of its last completed run) to --end.",
        "The watermark advances only when every partition has written."
      })
  static final class Incremental implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin RedisOptions redis = new RedisOptions();

    @Parameters(index = "0", paramLabel = "VIEW")
    String view;

    @Option(names = "--end", paramLabel = "INSTANT", description = "Default: now.")
    Instant end;

    @Override
    public Integer call() {
      String url = redis.reachable();
      try (RegistryStore store = registry.open()) {
        requireView(store, view);
        SparkSession spark = sparkOptions.session("materialize " + view);
        Materializer m = new Materializer(spark, store, url);
        print(
            spec.commandLine().getOut(),
            m,
            SparkOptions.reported(
                spark,
                "materialize " + view,
                () -> m.materializeIncremental(view, end == null ? Instant.now() : end)));
        return StrataCli.OK;
      }
    }
  }

  /** A missing view is exit code 5 at once, before Spark starts. */
  static void requireView(RegistryStore store, String view) {
    if (store.featureView(view).isEmpty()) {
      throw new NotFoundException(
          "No feature view named '"
              + view
              + "' is registered: see what is registered with 'strata ls'");
    }
  }

  @Command(
      name = "watermarks",
      mixinStandardHelpOptions = true,
      description = {
        "Show where each view's next incremental materialization starts, per online store.",
        "A watermark is the end of the newest completed run of a view version into one Redis."
      })
  static final class Watermarks implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "VIEW",
        description = "Default: every view.")
    String view;

    @Option(names = "--redis", paramLabel = "URL", description = "Only this online store.")
    String url;

    @Override
    public Integer call() {
      String only = null;
      if (url != null) {
        try {
          only = RedisEndpoint.parse(url).identity();
        } catch (IllegalArgumentException e) {
          throw new StrataCli.UsageException("--redis: " + e.getMessage());
        }
      }
      try (RegistryStore store = registry.open()) {
        if (view != null) {
          requireView(store, view);
        }
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"VIEW", "VERSION", "ONLINE STORE", "WATERMARK", "RECORDED"});
        for (Watermark w : store.watermarks()) {
          if ((view == null || view.equals(w.view()))
              && (only == null || only.equals(w.onlineStore()))) {
            rows.add(
                new String[] {
                  w.view(),
                  "v" + w.viewVersion(),
                  w.onlineStore(),
                  w.end().toString(),
                  String.valueOf(w.recordedAt())
                });
          }
        }
        if (rows.size() == 1) {
          out.println(
              "No watermarks"
                  + (view == null ? "" : " for " + view)
                  + (only == null ? "" : " in " + only)
                  + ": the next incremental run starts at the beginning.");
        } else {
          out.print(Render.columns(rows));
        }
        return StrataCli.OK;
      }
    }
  }
}
