package dev.strata.training;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.offline.Quality;
import dev.strata.offline.SharedSparkSession;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.LineageNode;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.ModelVersion.Task;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.training.TrainingSets.TrainingSetSpec;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets, training, the model registry and scoring on a slice of the real flights sample
 * (the 25 busiest origins, 2001-01-01 to 01-12), with the flights source as a Delta table so that
 * it can receive new data and be time-travelled.
 */
@ExtendWith(SharedSparkSession.class)
class TrainingTest {
  static final Instant START = Instant.parse("2001-01-03T00:00:00Z");
  static final Instant END = Instant.parse("2001-01-10T00:00:00Z");

  @TempDir static Path dir;
  static Dataset<Row> slice;

  @BeforeAll
  static void slice(SparkSession spark) {
    Dataset<Row> sample =
        spark.read().parquet(repoRoot().resolve(FlightsRepository.SAMPLE_PATH).toString());
    List<String> busiest = new ArrayList<>();
    sample
        .groupBy("origin")
        .count()
        .orderBy(col("count").desc())
        .limit(25)
        .collectAsList()
        .forEach(r -> busiest.add(r.getString(0)));
    slice =
        sample
            .filter(col("origin").isin(busiest.toArray()))
            .filter(col("date").lt(lit(Timestamp.from(Instant.parse("2001-01-12T00:00:00Z")))))
            .cache();
  }

  @Test
  void xgboostGetsSilentSoItPrintsNoLinePerRound() {
    // XGBoost4J prints each round's evaluation unless the booster's parameters hold "silent"
    // (ml.dmlc.xgboost4j.java.XGBoost.shouldPrint); the estimator hands getXGBoostParams() over
    ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier c =
        (ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier)
            Models.estimator(TrainSpec.defaults("m", "t"), new String[] {"delay"}, slice.limit(1));
    scala.collection.immutable.Map<String, Object> params = c.getXGBoostParams();
    assertThat(params.get("silent").get()).isEqualTo(1);
    assertThat(params.get("verbosity").get()).isEqualTo(0);
    // a copy (as Spark ML makes of a stage) still trains; the default parameters stay the same
    assertThat(params.get("max_depth").isDefined()).isTrue();
  }

  static Path repoRoot() {
    Path p = Path.of("").toAbsolutePath();
    return p.resolve(FlightsRepository.SAMPLE_PATH).toFile().exists() ? p : p.getParent();
  }

  /**
   * A registry with the example repository, its flights source a Delta table of the days before
   * {@code until}.
   */
  record World(RegistryStore registry, String flights, String labels, Warehouse warehouse) {}

  static World world(SparkSession spark, String until) {
    Path base = dir.resolve(UUID.randomUUID().toString());
    String flights = base.resolve("flights").toString();
    String labels = base.resolve("labels").toString();
    Dataset<Row> before = slice.filter(col("date").lt(lit(Timestamp.from(Instant.parse(until)))));
    before.write().format("delta").save(flights);
    labels(before).write().format("delta").save(labels);
    Source source = FlightsRepository.flights(flights).toBuilder().delta(flights).build();
    FeatureView origin = FlightsRepository.originDelays(source);
    FeatureView route = FlightsRepository.routeStats(source);
    FeatureService service = FlightsRepository.delayModel(origin, route);
    RegistryStore registry = JdbcRegistryStore.open(RegistryUrls.inMemory("t" + UUID.randomUUID()));
    registry.apply(
        Definitions.builder()
            .addAll(
                FlightsRepository.AIRPORT, FlightsRepository.ROUTE, source, origin, route, service)
            .build(),
        ApplyOptions.defaults());
    return new World(registry, flights, labels, Warehouse.local(base.resolve("warehouse")));
  }

  static Dataset<Row> labels(Dataset<Row> flights) {
    return flights.select(
        col("origin"),
        col("destination"),
        col("date").as("departure"),
        col("delay").gt(15).cast("int").as("delayed"),
        col("delay").cast("double").as("delay_minutes"));
  }

  static TrainingSetSpec spec(World w, String name) {
    return new TrainingSetSpec(
        name,
        TableFormat.DELTA.at(w.labels()),
        "departure",
        "delayed",
        "delay_model",
        START,
        END,
        TableFormat.DELTA);
  }

  /**
   * AUC by its definition: the share of (positive, negative) pairs ranked right, ties counting
   * half.
   */
  static double bruteForceAuc(List<double[]> labelAndScore) {
    List<Double> pos = new ArrayList<>();
    List<Double> neg = new ArrayList<>();
    labelAndScore.forEach(x -> (x[0] == 1 ? pos : neg).add(x[1]));
    neg.sort(null);
    double right = 0;
    for (double p : pos) {
      int lo = lowerBound(neg, p);
      int hi = lowerBound(neg, Math.nextUp(p));
      right += lo + 0.5 * (hi - lo);
    }
    return right / ((double) pos.size() * neg.size());
  }

  static int lowerBound(List<Double> sorted, double v) {
    int lo = 0;
    int hi = sorted.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted.get(mid) < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  @Test
  void trainingSetRebuildsFromItsRecordAfterTheTablesGrew(SparkSession spark) {
    World w = world(spark, "2001-01-08T00:00:00Z");
    try (RegistryStore registry = w.registry()) {
      TrainingSets sets = new TrainingSets(spark, registry, w.warehouse());
      TrainingSet ts = sets.build(spec(w, "delays"));
      assertThat(ts.version()).isEqualTo(1);
      assertThat(ts.rows())
          .isEqualTo(
              labels(slice)
                  .filter(
                      col("departure")
                          .geq(lit(Timestamp.from(START)))
                          .and(
                              col("departure")
                                  .lt(lit(Timestamp.from(Instant.parse("2001-01-08T00:00:00Z"))))))
                  .count());
      assertThat(ts.features())
          .contains("avg_delay_1h", "flights_7d", "route_distance")
          .doesNotContain("delayed");
      assertThat(TrainingSets.checksum(sets.read(ts)).value()).isEqualTo(ts.checksum());
      // its statistics, recorded with its version and snapshot, against a loop over its rows
      RunQuality q = registry.quality(RunQuality.Subject.trainingSet("delays", 1)).get(0);
      assertThat(q.runId()).isEqualTo(ts.runId());
      assertThat(q.snapshot()).isEqualTo(ts.snapshot());
      assertThat(q.statistics()).extracting(FeatureStatistics::feature).hasSize(12);
      long n = 0;
      long nulls = 0;
      double sum = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (Row r : sets.read(ts).select("avg_delay_1d").collectAsList()) {
        n++;
        if (r.isNullAt(0)) {
          nulls++;
        } else {
          sum += r.getDouble(0);
          max = Math.max(max, r.getDouble(0));
        }
      }
      FeatureStatistics avg = q.statistics("avg_delay_1d").orElseThrow();
      assertThat(avg.count()).isEqualTo(n).isEqualTo(ts.rows());
      assertThat(avg.nulls()).isEqualTo(nulls);
      assertThat(avg.mean()).isCloseTo(sum / (n - nulls), within(1e-9));
      assertThat(avg.max()).isEqualTo(max);

      // the source and the labels receive the next days (inside the dataset's time range)
      Dataset<Row> later =
          slice.filter(col("date").geq(lit(Timestamp.from(Instant.parse("2001-01-08T00:00:00Z")))));
      later.write().format("delta").mode("append").save(w.flights());
      labels(later).write().format("delta").mode("append").save(w.labels());

      Dataset<Row> rebuilt = sets.rebuild(ts);
      assertThat(TrainingSets.checksum(rebuilt))
          .isEqualTo(new TrainingSets.Checksum(ts.rows(), ts.checksum()));
      TrainingSet now = sets.build(spec(w, "delays"));
      assertThat(now.version()).isEqualTo(2);
      assertThat(now.rows()).isGreaterThan(ts.rows());
      assertThat(registry.upstream(now.nodeId()).nodes().keySet())
          .contains("feature_view:origin_delays@v1", "feature_service:delay_model@v1")
          .anyMatch(id -> id.startsWith("table:delta:" + w.flights() + "@"));

      // a STRICT expectation that the rows break: no table, no version, the run FAILED
      FeatureView origin = registry.registeredView("origin_delays").orElseThrow().definition();
      FeatureView checked =
          FeatureView.restore(
              origin.name(),
              origin.entities(),
              origin.joinKeys(),
              origin.source(),
              origin.ttl(),
              origin.cadence(),
              origin.features(),
              origin.online(),
              origin.metadata(),
              List.of(
                  dev.strata.dsl.Features.between(
                      dev.strata.dsl.Features.col("max_delay_1d"), 0, 300),
                  dev.strata.dsl.Features.notNull("avg_delay_7d").warnOnly()));
      Definitions current = registry.current();
      Definitions.Builder next = Definitions.builder();
      current.entities().forEach(next::add);
      current.sources().forEach(next::add);
      current.featureViews().forEach(next::add);
      current.featureServices().forEach(next::add);
      registry.apply(next.put(checked).build(), ApplyOptions.defaults());
      assertThatThrownBy(() -> sets.build(spec(w, "strict")))
          .isInstanceOf(Quality.ExpectationFailedException.class)
          .hasMessageStartingWith(
              "training set 'strict' stopped before writing anything: feature view"
                  + " 'origin_delays' expects between(max_delay_1d, 0, 300), observed ");
      assertThat(registry.trainingSets("strict")).isEmpty();
      assertThat(
              new java.io.File(
                  java.net.URI.create(w.warehouse().resolve("training_sets", "strict"))))
          .doesNotExist();
      RunQuality stopped = registry.quality(RunQuality.Subject.trainingSet("strict", 0)).get(0);
      assertThat(stopped.expectations())
          .extracting(ExpectationResult::expectation)
          .containsExactly("between(max_delay_1d, 0, 300)", "notNull(avg_delay_7d)");
    }
  }

  @Test
  void classifierLearnsDelaysAndIsRegisteredWithMetricsAndLineage(SparkSession spark) {
    World w = world(spark, "2001-01-12T00:00:00Z");
    try (RegistryStore registry = w.registry()) {
      TrainingSet ts = new TrainingSets(spark, registry, w.warehouse()).build(spec(w, "delays"));
      Models models = new Models(spark, registry, w.warehouse());
      ModelVersion m =
          models.train(TrainSpec.defaults("delay_model", "delays").withRounds(100, 10));

      assertThat(m.version()).isEqualTo(1);
      assertThat(m.features()).isEqualTo(ts.features());
      assertThat(m.metrics())
          .containsKeys("auc", "pr_auc", "log_loss", "precision", "recall", "f1");
      // measured 0.68 on this slice; a model that learnt nothing would be near 0.5
      assertThat(m.metrics().get("auc")).isGreaterThan(0.62);
      assertThat(m.boostedRounds()).isBetween(1L, 100L);

      // the split is by time: the training rows are exactly those before split_at
      Instant at = m.splitAt();
      Dataset<Row> rows = new TrainingSets(spark, registry, w.warehouse()).read(ts);
      assertThat(m.trainRows())
          .isEqualTo(rows.filter(col("departure").lt(lit(Timestamp.from(at)))).count());
      Dataset<Row> validation =
          Models.prepare(rows, m.features(), "delayed")
              .filter(col("departure").geq(lit(Timestamp.from(at))));

      // the registered AUC equals the brute-force AUC of the saved pipeline's validation scores
      List<double[]> scored = new ArrayList<>();
      PipelineModel.load(m.sparkModel())
          .transform(validation)
          .select(
              col(Models.LABEL),
              org.apache
                  .spark
                  .ml
                  .functions
                  .vector_to_array(col("probability"), "float64")
                  .getItem(1))
          .collectAsList()
          .forEach(r -> scored.add(new double[] {r.getDouble(0), r.getDouble(1)}));
      assertThat(bruteForceAuc(scored)).isCloseTo(m.metrics().get("auc"), within(1e-6));
      assertThat(Path.of(java.net.URI.create(m.xgboostModel()))).exists();

      assertThat(registry.upstream(m.nodeId()).nodes().keySet())
          .contains(ts.nodeId(), "feature_view:origin_delays@v1", "feature_view:route_stats@v1")
          .anyMatch(id -> id.startsWith("table:delta:" + w.flights()));

      // batch scoring: one prediction per entity row, features fetched point-in-time
      String out = dir.resolve(UUID.randomUUID() + "-scores").toString();
      String entities = dir.resolve(UUID.randomUUID() + "-entities").toString();
      spark
          .read()
          .format("delta")
          .load(w.labels())
          .filter(col("departure").geq(lit(Timestamp.from(END))))
          .select("origin", "destination", "departure")
          .write()
          .format("delta")
          .save(entities);
      Models.Scored s =
          models.score(
              "delay_model",
              null,
              TableFormat.DELTA.at(entities),
              "departure",
              TableFormat.DELTA.at(out),
              false);
      Dataset<Row> scores = Tables.read(spark, s.output(), s.snapshot());
      assertThat(s.rows())
          .isEqualTo(spark.read().format("delta").load(entities).count())
          .isPositive();
      assertThat(
              scores
                  .filter(
                      col("probability")
                          .lt(0)
                          .or(col("probability").gt(1))
                          .or(col("probability").isNull()))
                  .count())
          .isZero();
      assertThat(
              registry
                  .upstream("table:delta:" + out + "@" + s.snapshot().orElseThrow())
                  .nodes()
                  .keySet())
          .contains(m.nodeId());
    }
  }

  @Test
  void regressorReportsErrorsThatMatchItsPredictions(SparkSession spark) {
    World w = world(spark, "2001-01-12T00:00:00Z");
    try (RegistryStore registry = w.registry()) {
      TrainingSetSpec s = spec(w, "minutes");
      new TrainingSets(spark, registry, w.warehouse())
          .build(
              new TrainingSetSpec(
                  s.name(),
                  s.labels(),
                  s.timestampColumn(),
                  "delay_minutes",
                  s.featureService(),
                  s.start(),
                  s.end(),
                  TableFormat.ICEBERG));
      ModelVersion m =
          new Models(spark, registry, w.warehouse())
              .train(
                  TrainSpec.defaults("minutes_model", "minutes")
                      .withTask(Task.REGRESSOR)
                      .withRounds(30, 0));
      assertThat(m.metrics()).containsKeys("rmse", "mae", "r2");
      TrainingSets sets = new TrainingSets(spark, registry, w.warehouse());
      Dataset<Row> validation =
          Models.prepare(sets.read(sets.get("minutes", null)), m.features(), "delay_minutes")
              .filter(col("departure").geq(lit(Timestamp.from(m.splitAt()))));
      double se = 0;
      double ae = 0;
      List<Row> rows =
          PipelineModel.load(m.sparkModel())
              .transform(validation)
              .select(Models.LABEL, "prediction")
              .collectAsList();
      for (Row r : rows) {
        double d = r.getDouble(0) - r.getDouble(1);
        se += d * d;
        ae += Math.abs(d);
      }
      assertThat(m.metrics().get("rmse")).isCloseTo(Math.sqrt(se / rows.size()), within(1e-6));
      assertThat(m.metrics().get("mae")).isCloseTo(ae / rows.size(), within(1e-6));
    }
  }

  @Test
  void badRequestsSayWhatIsWrongAndRegisterNothing(SparkSession spark) {
    World w = world(spark, "2001-01-05T00:00:00Z");
    try (RegistryStore registry = w.registry()) {
      TrainingSets sets = new TrainingSets(spark, registry, w.warehouse());
      Models models = new Models(spark, registry, w.warehouse());
      TrainingSetSpec ok = spec(w, "bad");
      int runs = registry.runs().size();
      assertThatThrownBy(
              () ->
                  sets.build(
                      new TrainingSetSpec(
                          "bad",
                          ok.labels(),
                          ok.timestampColumn(),
                          ok.labelColumn(),
                          "no_such_service",
                          START,
                          END,
                          TableFormat.DELTA)))
          .hasMessage(
              "training set 'bad': no feature service named 'no_such_service' is registered: see"
                  + " what is registered with 'strata ls'");
      assertThatThrownBy(
              () ->
                  sets.build(
                      new TrainingSetSpec(
                          "bad",
                          ok.labels(),
                          ok.timestampColumn(),
                          ok.labelColumn(),
                          ok.featureService(),
                          END,
                          END,
                          TableFormat.DELTA)))
          .hasMessageContaining(
              "the time range [2001-01-10T00:00:00Z, 2001-01-10T00:00:00Z) is empty");
      assertThatThrownBy(
              () ->
                  sets.build(
                      new TrainingSetSpec(
                          "bad",
                          ok.labels(),
                          ok.timestampColumn(),
                          "late",
                          ok.featureService(),
                          START,
                          END,
                          TableFormat.DELTA)))
          .hasMessageStartingWith(
              "training set 'bad': the label column 'late' is not in the labels table "
                  + w.labels()
                  + " (columns: origin, destination, departure, delayed, delay_minutes)");
      assertThatThrownBy(
              () ->
                  sets.build(
                      new TrainingSetSpec(
                          "bad",
                          ok.labels(),
                          ok.timestampColumn(),
                          ok.labelColumn(),
                          ok.featureService(),
                          Instant.parse("2002-01-01T00:00:00Z"),
                          Instant.parse("2002-02-01T00:00:00Z"),
                          TableFormat.DELTA)))
          .hasMessageContaining(
              "has no rows with departure in [2002-01-01T00:00:00Z, 2002-02-01T00:00:00Z)");
      assertThatThrownBy(
              () ->
                  sets.build(
                      new TrainingSetSpec(
                          "bad",
                          TableFormat.DELTA.at(dir.resolve("nowhere").toString()),
                          ok.timestampColumn(),
                          ok.labelColumn(),
                          ok.featureService(),
                          START,
                          END,
                          TableFormat.DELTA)))
          .hasMessageContaining("cannot read the labels table");
      assertThatThrownBy(() -> models.train(TrainSpec.defaults("m", "bad")))
          .hasMessage(
              "no training set named 'bad' is registered: build one with 'strata training-set'");
      assertThat(registry.versions(LineageNode.TRAINING_DATASET, "bad")).isEmpty();
      assertThat(registry.runs()).hasSize(runs);

      TrainingSet minutes =
          sets.build(
              new TrainingSetSpec(
                  "minutes",
                  ok.labels(),
                  ok.timestampColumn(),
                  "delay_minutes",
                  ok.featureService(),
                  START,
                  END,
                  TableFormat.DELTA));
      assertThatThrownBy(() -> models.train(TrainSpec.defaults("m", "minutes")))
          .hasMessageStartingWith(
              "model 'm': a classifier needs a 0/1 or boolean label, but 'delay_minutes' of training set 'minutes' has");
      assertThatThrownBy(() -> models.train(TrainSpec.defaults("m", "minutes").withGpu(true)))
          .hasMessageStartingWith("--gpu cannot start; missing: the Spark RAPIDS plugin");
      assertThat(registry.versions(LineageNode.MODEL, "m")).isEmpty();
      assertThat(minutes.version()).isEqualTo(1);
    }
  }
}
