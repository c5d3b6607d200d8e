package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.Plan;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.training.Models;
import dev.strata.training.TrainSpec;
import dev.strata.training.TrainingSets;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code strata quickstart}: the README's main job, on the real flights data with embedded
 * defaults. Applies the example repository, backfills its views into Delta tables, builds a
 * point-in-time training set for "departure delayed over 15 minutes", trains and registers a
 * distributed XGBoost model, materializes the latest values into a Redis it starts itself, starts
 * the feature server and fetches a feature vector over REST, and prints the lineage from the
 * flights table to the model. A second run reuses what the first registered; Ctrl-C stops the Redis
 * and the server it started.
 *
 * <p>It is long because it is a script: seven steps in order, each a few calls of the jobs and a
 * line of output; splitting it would scatter one story.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description = {
      "Run the example end to end on embedded defaults: apply, backfill (Delta), training set,",
      "distributed XGBoost training, materialization into a Redis it starts (unless --redis),",
      "the feature server with one REST lookup, and lineage from the flights table to the model.",
      "Uses the shipped sample (3 weeks, 342,425 flights); --full uses all 3M flights of 2001-H1",
      "(fetched by scripts/fetch-flights.sh)."
    })
final class QuickstartCommand implements Callable<Integer> {
  static final String EXAMPLE_REPOSITORY = "flights";
  static final String FULL_PATH = "data/full/flights-3m.parquet";
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String TRAINING_SET = "delayed_departures";
  static final String MODEL = "delay_model";

  /** The example's feature service: the model's features, and those the quickstart serves. */
  static final String SERVICE = "delay_model";

  /** The airport whose features the quickstart fetches over REST. */
  static final String AIRPORT = "ATL";

  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin RepositoryOptions repository = new RepositoryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();
  @Mixin MaterializeCommand.RedisOptions redis = new MaterializeCommand.RedisOptions();

  @Option(
      names = "--full",
      description = "Run on the full 3M flights (data/full, fetched when missing).")
  boolean full;

  @Option(
      names = "--flights",
      paramLabel = "PATH",
      description = "Run on this flights Parquet file instead.")
  String flights;

  @Option(
      names = "--stream",
      description =
          "Instead: the streaming demo. A day of flights replayed into a local Kafka broker,"
              + " streamed into Redis and the offline table, ATL's values followed over REST.")
  boolean stream;

  @Option(
      names = "--speed",
      paramLabel = "N",
      description =
          "With --stream: replay N times faster than real time (default 1440: a day in a minute).")
  int speed = 1440;

  @Option(names = "--no-server", description = "Skip starting the feature server (step 6).")
  boolean noServer;

  @Option(
      names = "--rounds",
      paramLabel = "N",
      description = "Boosting rounds at most (default 200).")
  int rounds = 200;

  private PrintWriter out;
  private long began;
  private long stepBegan;
  private final List<String> summary = new ArrayList<>();

  private void step(String title) {
    stepBegan = System.nanoTime();
    out.println();
    out.println("== " + title);
    out.flush();
  }

  private void done(String what) {
    out.printf(
        "   %s (%.1f s, %.0f s in all)%n",
        what, (System.nanoTime() - stepBegan) / 1e9, (System.nanoTime() - began) / 1e9);
    out.flush();
  }

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    began = System.nanoTime();
    if (full && flights == null) {
      flights = FULL_PATH;
      if (!Files.exists(Path.of(FULL_PATH))) {
        out.println(
            "Fetching the full flights data (npm package vega-datasets@3.2.1) with scripts/fetch-flights.sh ...");
        out.flush();
        Process p = new ProcessBuilder("scripts/fetch-flights.sh").inheritIO().start();
        if (p.waitFor() != 0 || !Files.exists(Path.of(FULL_PATH))) {
          throw new IllegalArgumentException(
              "could not fetch "
                  + FULL_PATH
                  + ": run scripts/fetch-flights.sh and see what it says");
        }
      }
    }
    if (flights != null) {
      System.setProperty("strata.flights.path", flights);
    }
    if (repository.name == null) {
      repository.name = EXAMPLE_REPOSITORY;
    }
    FeatureRepository repo = repository.load();
    if (stream) {
      if (speed <= 0) {
        throw new StrataCli.UsageException("--speed must be positive, not " + speed);
      }
      boolean ownRedis =
          redis.url == null && System.getenv(MaterializeCommand.RedisOptions.ENV) == null;
      new StreamDemo(out, repo, sparkOptions, ownRedis ? null : redis.resolved(), speed).run();
      return StrataCli.OK;
    }
    Resources resources = new Resources();
    Thread hook = new Thread(resources::close, "strata-quickstart-stop");
    Runtime.getRuntime().addShutdownHook(hook); // Ctrl-C: stop what this run started
    try (RegistryStore store = registry.open();
        resources) {
      run(repo, store, resources);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
    return StrataCli.OK;
  }

  /** The Redis and the server this run started; closed at the end or on Ctrl-C. */
  static final class Resources implements AutoCloseable {
    volatile RedisLauncher redis;
    volatile FeatureServerProcess server;

    @Override
    public synchronized void close() {
      if (server != null) {
        server.close();
        server = null;
      }
      if (redis != null) {
        redis.close();
        redis = null;
      }
    }
  }

  private void run(FeatureRepository repo, RegistryStore store, Resources resources)
      throws Exception {
    step(
        "1. apply the '"
            + repo.name()
            + "' feature repository to "
            + RegistryUrls.redact(registry.resolvedUrl()));
    Plan plan = store.plan(repo.definitions(), ApplyOptions.defaults());
    out.print(Render.plan(plan));
    ApplyResult applied = store.apply(repo.definitions(), ApplyOptions.defaults());
    done(
        applied.changed()
            ? "applied: registry at revision " + applied.revision()
            : "nothing to apply: already registered (revision " + applied.revision() + ")");

    SparkSession spark = sparkOptions.session("quickstart");
    String flightsPath = store.source("flights").orElseThrow().location();
    Row span =
        spark
            .read()
            .parquet(flightsPath)
            .agg(
                min(col("date").cast("date")).cast("string"),
                max(col("date").cast("date")).cast("string"),
                org.apache.spark.sql.functions.count(lit(1)))
            .first();
    LocalDate first = LocalDate.parse(span.getString(0));
    LocalDate last = LocalDate.parse(span.getString(1));
    Instant end = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    summary.add(
        "flights: " + span.getLong(2) + " rows, " + first + ".." + last + " (" + flightsPath + ")");

    step("2. backfill the feature views for " + first + ".." + last + " into Delta tables");
    OfflineStore offline = new OfflineStore(spark, store, sparkOptions.warehouse);
    for (FeatureView v : store.current().featureViews()) {
      long t0 = System.nanoTime();
      OfflineStore.BackfillResult r =
          SparkOptions.reported(
              spark,
              "backfill " + v.name(),
              () -> offline.backfill(v.name(), first, last, TableFormat.DELTA));
      String line =
          r.view()
              + " v"
              + r.viewVersion()
              + ": "
              + r.rows()
              + " rows, "
              + r.table().location()
              + " at version "
              + r.snapshot();
      out.printf("   %s (%.1f s)%n", line, (System.nanoTime() - t0) / 1e9);
      out.flush();
      summary.add("offline table " + line);
    }
    done("backfilled");

    step(
        "3. training set '"
            + TRAINING_SET
            + "': every departure with the delay_model features as of its time");
    TableLocation labels =
        TableFormat.DELTA.at(sparkOptions.warehouse.resolve("quickstart", "labels"));
    if (!Tables.exists(spark, labels)) {
      Tables.write(
          spark,
          spark
              .read()
              .parquet(flightsPath)
              .select(
                  col("origin"),
                  col("destination"),
                  col("date").as("departure"),
                  col("delay").gt(15).cast("int").as("delayed")),
          labels,
          false);
    }
    // the first two days only give history: examples start on the third day
    Instant start = first.plusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    TrainingSets sets = new TrainingSets(spark, store, sparkOptions.warehouse);
    TrainingSets.TrainingSetSpec tsSpec =
        new TrainingSets.TrainingSetSpec(
            TRAINING_SET, labels, "departure", "delayed", SERVICE, start, end, TableFormat.DELTA);
    Optional<TrainingSet> reuse = sameTrainingSet(store, sets, tsSpec, spark);
    TrainingSet ts =
        reuse.orElseGet(
            () ->
                SparkOptions.reported(
                    spark, "training-set " + TRAINING_SET, () -> sets.build(tsSpec)));
    done(
        (reuse.isPresent() ? "reused " : "registered ")
            + ts.nodeId()
            + ": "
            + ts.rows()
            + " rows x "
            + ts.features().size()
            + " features, delta "
            + ts.table().location()
            + " at version "
            + Snapshot.idOrEmpty(ts.snapshot()));
    summary.add(
        "training set "
            + ts.nodeId()
            + ": "
            + ts.rows()
            + " rows, "
            + ts.table().location()
            + " at version "
            + Snapshot.idOrEmpty(ts.snapshot()));

    step(
        "4. train a distributed XGBoost classifier (2 workers) on "
            + ts.nodeId()
            + ", split by time");
    Models models = new Models(spark, store, sparkOptions.warehouse);
    TrainSpec trainSpec = TrainSpec.defaults(MODEL, TRAINING_SET).withRounds(rounds, 20);
    Optional<ModelVersion> sameModel =
        store.models(MODEL).stream()
            .filter(m -> m.trainingSet().equals(ts.nodeId()) && m.params().rounds() == rounds)
            .reduce((a, b) -> b);
    ModelVersion model =
        sameModel.orElseGet(
            () -> SparkOptions.reported(spark, "train " + MODEL, () -> models.train(trainSpec)));
    StringBuilder metrics = new StringBuilder();
    model.metrics().forEach((k, v) -> metrics.append(String.format(" %s=%.4f", k, v)));
    done(
        (sameModel.isPresent() ? "reused " : "registered ")
            + model.nodeId()
            + " ("
            + model.boostedRounds()
            + " rounds; trained on "
            + model.trainRows()
            + " rows before "
            + model.splitAt()
            + ", validated on "
            + model.validationRows()
            + "):"
            + metrics);
    summary.add("model " + model.nodeId() + ":" + metrics + "; " + model.sparkModel());

    step("5. materialize the latest values as of " + end + " into Redis");
    String url;
    if (redis.url == null && System.getenv(MaterializeCommand.RedisOptions.ENV) == null) {
      resources.redis = RedisLauncher.single();
      url = resources.redis.url();
      out.println("   started redis-server at " + url);
    } else {
      url = redis.resolved();
    }
    Materializer materializer = new Materializer(spark, store, url);
    for (FeatureView v : store.current().featureViews()) {
      Materializer.Result r =
          SparkOptions.reported(
              spark,
              "materialize " + v.name(),
              () ->
                  materializer.materialize(
                      v.name(), first.atStartOfDay(ZoneOffset.UTC).toInstant(), end));
      out.println("   " + r.view() + " v" + r.version() + ": " + r.rows() + " keys written");
      summary.add("online " + r.view() + " v" + r.version() + ": " + r.rows() + " keys in " + url);
    }
    done("materialized");

    String request = onlineRequest(store, end);
    if (noServer) {
      out.println();
      out.println("== 6. feature server: skipped (--no-server)");
    } else {
      step("6. start the feature server and fetch the features of " + AIRPORT + " over REST");
      // the server's log is a local file, beside a local warehouse
      Path log =
          (sparkOptions.warehouse.isLocal()
                  ? Path.of(sparkOptions.warehouse.root())
                  : Path.of(".strata"))
              .resolve("quickstart")
              .resolve("server.log")
              .toAbsolutePath();
      resources.server = FeatureServerProcess.start(url, registry.resolvedUrl(), log);
      HttpResponse<String> answer = resources.server.post("/v1/features/online", request);
      out.println("   POST " + resources.server.baseUrl() + "/v1/features/online " + request);
      out.println("   " + answer.statusCode() + " " + answer.body());
      if (answer.statusCode() != 200) {
        throw new IllegalStateException(
            "the feature server answered " + answer.statusCode() + ": " + answer.body());
      }
      resources.server.close();
      resources.server = null;
      done("served (server log: " + log + ")");
    }

    step("7. lineage: from the flights table to the model");
    out.print(store.upstream(model.nodeId()).render());
    done("lineage of " + model.nodeId());

    out.println();
    out.println("== summary");
    summary.forEach(l -> out.println("   " + l));
    out.println(
        "   registry: "
            + RegistryUrls.redact(registry.resolvedUrl())
            + "; warehouse: "
            + sparkOptions.warehouse);
    out.printf("   done in %.0f s%n", (System.nanoTime() - began) / 1e9);
    out.println();
    out.println(
        "Try: ./strata serve --redis redis://127.0.0.1:6379   (after ./strata materialize ... --redis into a running Redis), then");
    out.println(
        "  curl -s localhost:8080/v1/features/online -H 'Content-Type: application/json' -d '"
            + request
            + "'");
    out.println(
        "Next: ./strata describe feature-view origin_delays; ./strata stats origin_delays;"
            + " ./strata lineage model:"
            + MODEL
            + "; ./strata --help");
  }

  /**
   * The request the quickstart sends: the service's features of every view keyed by airport ({@code
   * origin}) alone, read from the registry, for {@link #AIRPORT} as of {@code end}.
   */
  private static String onlineRequest(RegistryStore store, Instant end) {
    FeatureService service = store.featureService(SERVICE).orElseThrow();
    ObjectNode body = JSON.createObjectNode();
    ArrayNode features = body.putArray("features");
    for (Projection p : service.projections()) {
      FeatureView v = store.featureView(p.view()).orElseThrow();
      if (v.joinKeys().stream().map(JoinKey::name).toList().equals(List.of("origin"))) {
        p.features().forEach(f -> features.add(p.view() + ":" + f));
      }
    }
    body.putObject("entities").putArray("origin").add(AIRPORT);
    body.put("as_of", end.toString());
    return body.toString();
  }

  /**
   * The newest registered training set with the same inputs, if the tables it read are unchanged.
   */
  private Optional<TrainingSet> sameTrainingSet(
      RegistryStore store, TrainingSets sets, TrainingSets.TrainingSetSpec s, SparkSession spark) {
    if (store.trainingSets(s.name()).isEmpty()) {
      return Optional.empty();
    }
    TrainingSet last = sets.get(s.name(), null);
    boolean same =
        last.labels().equals(s.labels())
            && last.labelsSnapshot().equals(Tables.currentSnapshot(spark, s.labels()))
            && last.start().equals(s.start())
            && last.end().equals(s.end())
            && last.featureServiceVersion()
                == store.registeredService(s.featureService()).orElseThrow().version();
    if (!same) {
      return Optional.empty();
    }
    // the labels table is derived from the flights file once; a new file means a new --warehouse
    return Tables.exists(spark, last.table()) ? Optional.of(last) : Optional.empty();
  }
}
