package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.offline.TableFormat;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RegistryUrls;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code strata quickstart}: the README's main job. Registers the example flights repository in
 * the embedded registry, backfills its views into Delta tables, builds a point-in-time training
 * set, and shows what the registry now knows.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the example end to end on embedded defaults.",
      "Plans and applies the flights repository into the registry (.strata/registry unless",
      "--registry), backfills its views for 2001-01-08..14 into Delta tables, joins the flights",
      "of 2001-01-15 with the delay_model service point in time, materializes the latest values",
      "into a Redis it starts itself (unless --redis), and shows list, online values and lineage."
    })
final class QuickstartCommand implements Callable<Integer> {
  static final String EXAMPLE_REPOSITORY = "flights";
  static final LocalDate FROM = LocalDate.parse("2001-01-08");
  static final LocalDate TO = LocalDate.parse("2001-01-14");
  static final LocalDate LABEL_DAY = LocalDate.parse("2001-01-15");
  static final Instant MATERIALIZE_END = Instant.parse("2001-01-15T00:00:00Z");

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin RepositoryOptions repository = new RepositoryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();
  @Mixin MaterializeCommand.RedisOptions redis = new MaterializeCommand.RedisOptions();

  @Override
  public Integer call() {
    if (repository.name == null) {
      repository.name = EXAMPLE_REPOSITORY;
    }
    FeatureRepository repo = repository.load();
    PrintWriter out = spec.commandLine().getOut();
    try (RegistryStore store = registry.open()) {
      out.println("== 1. plan: repository '" + repo.name() + "' against "
          + RegistryUrls.redact(registry.resolvedUrl()));
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
      out.flush();

      SparkSession spark = sparkOptions.session("quickstart");
      OfflineStore offline = new OfflineStore(spark, store, sparkOptions.warehouse);
      out.println();
      out.println("== 4. backfill " + FROM + ".." + TO + " into Delta tables");
      for (Registered<Object> v : store.list(ObjectKind.FEATURE_VIEW)) {
        OfflineStore.BackfillResult r =
            offline.backfill(((FeatureView) v.definition()).name(), FROM, TO, TableFormat.DELTA);
        out.println(r.view() + " v" + r.viewVersion() + ": " + r.rows() + " rows, "
            + r.location() + " at version " + r.snapshot());
        out.flush();
      }

      out.println();
      out.println("== 5. training set: the flights of " + LABEL_DAY + ", delay_model features as of"
          + " each departure");
      Dataset<Row> labels =
          spark.read().parquet(sourcePath(store))
              .withColumnRenamed("date", "departure")
              .filter(col("departure").cast("date").equalTo(lit(java.sql.Date.valueOf(LABEL_DAY))))
              .withColumn("delayed", col("delay").gt(15))
              .select("origin", "destination", "departure", "delayed");
      OfflineStore.Historical h = offline.historical(labels, "departure", "delay_model", false);
      String output = sparkOptions.warehouse.resolve("quickstart-training").toString();
      TableFormat.PARQUET.writeTable(spark, h.rows(), output, true);
      Dataset<Row> written = spark.read().parquet(output);
      out.println(written.count() + " rows with " + (written.columns().length - 4)
          + " features written to " + output);
      out.println(written
          .select("origin", "destination", "departure", "delayed", "avg_delay_1h", "flights_1d",
              "late_share_1d", "route_avg_delay_7d")
          .orderBy("departure", "origin", "destination")
          .showString(5, 0, false));

      out.println("== 6. materialize the latest values as of " + MATERIALIZE_END + " into Redis");
      try (RedisLauncher launched = redis.url == null && System.getenv(MaterializeCommand.RedisOptions.ENV) == null
              ? RedisLauncher.single() : null) {
        String url = launched != null ? launched.url() : redis.resolved();
        out.println(launched != null ? "Started redis-server at " + url : "Redis at " + url);
        Materializer materializer = new Materializer(spark, store, url);
        for (Registered<Object> v : store.list(ObjectKind.FEATURE_VIEW)) {
          Materializer.Result r = materializer.materialize(((FeatureView) v.definition()).name(),
              FROM.atStartOfDay(java.time.ZoneOffset.UTC).toInstant(), MATERIALIZE_END);
          out.println(r.view() + " v" + r.version() + ": " + r.rows() + " keys written");
        }
        FeatureView origin = store.featureView("origin_delays").orElseThrow();
        List<List<String>> airports = List.of(List.of("ATL"), List.of("ORD"), List.of("SFO"), List.of("XXX"));
        List<RedisOnlineStore.OnlineValue> online;
        try (RedisOnlineStore reader = RedisOnlineStore.connect(url)) {
          online = reader.read(origin, store.get(ObjectKind.FEATURE_VIEW, "origin_delays").orElseThrow().version(),
              airports, MATERIALIZE_END);
        }
        out.println("Online values as of " + MATERIALIZE_END + " (avg_delay_1d, flights_1d):");
        for (int i = 0; i < airports.size(); i++) {
          RedisOnlineStore.OnlineValue v = online.get(i);
          out.println("  " + airports.get(i).get(0) + ": " + v.status()
              + (v.status() == RedisOnlineStore.Status.PRESENT
                  ? " " + v.values()[1] + ", " + v.values()[4] + " (event time "
                      + Instant.ofEpochSecond(0, v.eventMicros() * 1000) + ")" : ""));
        }
      }
      out.println();

      out.println("== 7. lineage");
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
              + "origin_delays --downstream', './strata --help'");
      return StrataCli.OK;
    }
  }

  private static String sourcePath(RegistryStore store) {
    return store.source("flights").orElseThrow().location();
  }
}
