package dev.strata.training;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.strata.dsl.FeatureService;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.offline.HadoopFs;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.OutputTables;
import dev.strata.offline.Progress;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.ModelVersion.Task;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import dev.strata.registry.TrainingSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import ml.dmlc.xgboost4j.scala.spark.XGBoostClassifier;
import ml.dmlc.xgboost4j.scala.spark.XGBoostModel;
import ml.dmlc.xgboost4j.scala.spark.XGBoostRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Distributed XGBoost training on registered training datasets, the model registry, and batch
 * scoring.
 *
 * <p>A model is trained on the examples before a split instant and validated (with early stopping)
 * on the examples from it on: the split is by time, so no example of the validation period is seen
 * in training. Its XGBoost booster (XGBoost's own format), its Spark ML pipeline, its feature list
 * in order, its params and its validation metrics are registered as {@code model:NAME@vN}, with
 * lineage to the training dataset (and through it to the feature views and source tables).
 */
public final class Models {
  public static final JobKind TRAIN_JOB = JobKind.TRAIN;
  public static final JobKind SCORE_JOB = JobKind.SCORE;

  /** The column the label is copied into for training; features keep their names. */
  static final String LABEL = "__label";

  static final String FEATURES = "__features";

  private final SparkSession spark;
  private final RegistryStore registry;
  private final Warehouse warehouse;

  public Models(SparkSession spark, RegistryStore registry, Warehouse warehouse) {
    this.spark = spark;
    this.registry = registry;
    this.warehouse = warehouse;
  }

  /** The two halves of a dataset, split by time. */
  public record Split(Dataset<Row> train, Dataset<Row> validation, Instant at) {}

  /**
   * Splits a training dataset at the instant that leaves {@code validationFraction} of its time
   * range after it: examples before it train, the rest validate.
   */
  public static Split split(Dataset<Row> rows, TrainingSet set, double validationFraction) {
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new InvalidInputException(
          "the validation fraction must be between 0 and 1, not " + validationFraction);
    }
    long span = set.end().toEpochMilli() - set.start().toEpochMilli();
    Instant at =
        Instant.ofEpochMilli(set.end().toEpochMilli() - (long) (span * validationFraction));
    Column ts = col(set.timestampColumn());
    return new Split(
        rows.filter(ts.lt(lit(Timestamp.from(at)))),
        rows.filter(ts.geq(lit(Timestamp.from(at)))),
        at);
  }

  /**
   * Features as doubles with NaN for missing (XGBoost's missing value), and the label as a double.
   */
  public static Dataset<Row> prepare(Dataset<Row> rows, List<String> features, String labelColumn) {
    // the features, in the model's order, then the other columns
    List<Column> cols = new ArrayList<>();
    for (String f : features) {
      cols.add(coalesce(col("`" + f + "`").cast("double"), lit(Double.NaN)).as(f));
    }
    for (String c : rows.columns()) {
      if (!features.contains(c)) {
        cols.add(col("`" + c + "`"));
      }
    }
    if (labelColumn != null) {
      cols.add(col("`" + labelColumn + "`").cast("double").as(LABEL));
    }
    return rows.select(cols.toArray(Column[]::new));
  }

  /** Trains, evaluates and registers a model; on any error nothing is registered. */
  public ModelVersion train(TrainSpec spec) {
    if (spec.gpu()) {
      GpuSupport.check();
    }
    String where = "model '" + spec.model() + "'";
    if (spec.workers() < 1 || spec.rounds() < 1 || spec.earlyStoppingRounds() < 0) {
      throw new InvalidInputException(
          where + ": workers and rounds must be at least 1, early stopping rounds at least 0");
    }
    TrainingSets sets = new TrainingSets(spark, registry, warehouse);
    TrainingSet set = sets.get(spec.trainingSet(), spec.trainingSetVersion());
    Dataset<Row> rows =
        prepare(sets.read(set), set.features(), set.labelColumn()).filter(col(LABEL).isNotNull());
    Split split = split(rows, set, spec.validationFraction());
    // XGBoost4J-Spark shuffles its input into one partition per worker unless it has exactly that
    // many; merging the read's partitions instead (no shuffle) saves a pass over the training rows
    Dataset<Row> train = perWorker(split.train(), spec.workers()).cache();
    Dataset<Row> validation = perWorker(split.validation(), spec.workers()).cache();
    long trainRows = train.count();
    long validationRows = validation.count();
    if (spec.task() == Task.CLASSIFIER) {
      // on the cached splits: no second read of the training set for this check
      Column other = col(LABEL).notEqual(0).and(col(LABEL).notEqual(1));
      long bad = train.filter(other).count() + validation.filter(other).count();
      if (bad > 0) {
        train.unpersist();
        validation.unpersist();
        throw new InvalidInputException(
            where
                + ": a classifier needs a 0/1 or boolean label, but '"
                + set.labelColumn()
                + "' of training set '"
                + set.name()
                + "' has "
                + bad
                + " other values");
      }
    }
    if (trainRows == 0 || validationRows == 0) {
      throw new InvalidInputException(
          where
              + ": splitting training set '"
              + set.name()
              + "' at "
              + split.at()
              + " leaves "
              + trainRows
              + " training and "
              + validationRows
              + " validation rows; both need some");
    }
    String[] features = set.features().toArray(String[]::new);
    PipelineStage estimator = estimator(spec, features, validation);
    RunRecord started =
        RunRecord.started(
            TRAIN_JOB, List.of(LineageId.parse(set.nodeId())), Map.of("model", spec.model()));
    try {
      return RunTracker.run(
          registry,
          started,
          run ->
              train(
                  spec,
                  set,
                  split,
                  train,
                  validation,
                  trainRows,
                  validationRows,
                  features,
                  estimator,
                  run,
                  where));
    } finally {
      train.unpersist();
      validation.unpersist();
    }
  }

  private ModelVersion train(
      TrainSpec spec,
      TrainingSet set,
      Split split,
      Dataset<Row> train,
      Dataset<Row> validation,
      long trainRows,
      long validationRows,
      String[] features,
      PipelineStage estimator,
      RunTracker run,
      String where) {
    try {
      Progress.phase(
          spark,
          "train XGBoost: "
              + spec.rounds()
              + " rounds on "
              + spec.workers()
              + " workers, "
              + trainRows
              + " rows");
      PipelineModel pipeline =
          new Pipeline().setStages(new PipelineStage[] {assembler(features), estimator}).fit(train);
      Progress.phase(spark, "evaluate on " + validationRows + " validation rows and save");
      XGBoostModel<?> xgb = (XGBoostModel<?>) pipeline.stages()[1];
      // the metrics read the predictions several times; XGBoost predicts them once
      Dataset<Row> predictions = pipeline.transform(validation).cache();
      Map<String, Double> metrics;
      try {
        metrics = ModelMetrics.evaluate(spec.task(), predictions, spec.threshold());
      } finally {
        predictions.unpersist();
      }
      String id = UUID.randomUUID().toString().substring(0, 8);
      String sparkModel = warehouse.resolve("models", spec.model(), id, "spark");
      String boosterFile = warehouse.resolve("models", spec.model(), id, "xgboost", "model.ubj");
      pipeline.write().overwrite().save(sparkModel);
      HadoopFs.write(spark, boosterFile, xgb.nativeBooster().toByteArray("ubj"));

      ModelVersion draft =
          new ModelVersion(
              spec.model(),
              0,
              "",
              spec.task(),
              set.nodeId(),
              Arrays.asList(features),
              set.labelColumn(),
              set.timestampColumn(),
              split.at(),
              trainRows,
              validationRows,
              sparkModel,
              boosterFile,
              new ModelVersion.Params(
                  spec.workers(),
                  spec.rounds(),
                  spec.earlyStoppingRounds(),
                  spec.maxDepth(),
                  spec.eta(),
                  spec.seed(),
                  spec.gpu() ? "cuda" : "cpu",
                  spec.threshold()),
              xgb.nativeBooster().getNumBoostedRound(),
              metrics,
              run.record().id());
      List<LineageId> inputs = new ArrayList<>();
      inputs.add(LineageId.parse(set.nodeId()));
      set.views()
          .forEach((v, n) -> inputs.add(LineageId.definition(ObjectKind.FEATURE_VIEW, v, n)));
      ModelVersion registered = registry.registerModel(draft, inputs);
      run.complete(List.of(LineageId.parse(registered.nodeId())));
      return registered;
    } catch (java.io.IOException
        | java.io.UncheckedIOException
        | ml.dmlc.xgboost4j.java.XGBoostError e) {
      throw new IllegalStateException(where + ": cannot save the model: " + e.getMessage(), e);
    }
  }

  /**
   * The features into one vector column; NaN (missing) kept for XGBoost. (XGBoost4J-Spark 3.2's own
   * array-of-columns input trains, but its transform then puts wrong values in the probability and
   * rawPrediction columns: seen here, hence the assembler.)
   */
  static VectorAssembler assembler(String[] features) {
    return new VectorAssembler()
        .setInputCols(features)
        .setOutputCol(FEATURES)
        .setHandleInvalid("keep");
  }

  static PipelineStage estimator(TrainSpec spec, String[] features, Dataset<Row> validation) {
    if (spec.task() == Task.CLASSIFIER) {
      XGBoostClassifier c = new XGBoostClassifier();
      c.setFeaturesCol(FEATURES);
      c.setLabelCol(LABEL);
      c.setObjective("binary:logistic");
      c.setEvalMetric("logloss");
      common(c, spec, features, validation);
      return c;
    }
    XGBoostRegressor r = new XGBoostRegressor();
    r.setFeaturesCol(FEATURES);
    r.setLabelCol(LABEL);
    r.setObjective("reg:squarederror");
    r.setEvalMetric("rmse");
    common(r, spec, features, validation);
    return r;
  }

  private static void common(
      ml.dmlc.xgboost4j.scala.spark.XGBoostEstimator<?, ?> e,
      TrainSpec spec,
      String[] features,
      Dataset<Row> validation) {
    e.setNumWorkers(spec.workers());
    e.setNumRound(spec.rounds());
    e.setMaxDepth(spec.maxDepth());
    e.setEta(spec.eta());
    e.setTreeMethod("hist");
    e.setSeed(spec.seed());
    e.setMissing(Float.NaN);
    e.setDevice(spec.gpu() ? "cuda" : "cpu");
    quiet(e);
    if (spec.earlyStoppingRounds() > 0) {
      e.setNumEarlyStoppingRounds(spec.earlyStoppingRounds());
      e.setEvalDataset(assembler(features).transform(validation));
    }
  }

  /**
   * Stops XGBoost printing an evaluation line (and a blank one) per boosting round to the process's
   * standard error. Its native tracker prints them unless the booster's parameters hold {@code
   * silent}, and XGBoost4J-Spark 3.2 passes only the parameters an estimator declares, which do not
   * include it; so this declares one more parameter on the estimator (Spark ML keeps them in {@code
   * PipelineStage.params}) and sets it. Early stopping still evaluates every round; only the
   * printing stops. If a later XGBoost changes that layout, training goes on and prints as before.
   */
  static void quiet(ml.dmlc.xgboost4j.scala.spark.XGBoostEstimator<?, ?> e) {
    org.apache.spark.ml.param.Params stage = (org.apache.spark.ml.param.Params) e;
    org.apache.spark.ml.param.IntParam silent =
        new org.apache.spark.ml.param.IntParam(
            stage.uid(), "silent", "1: XGBoost prints no per-round evaluation");
    try {
      org.apache.spark.ml.param.Param<?>[] declared = stage.params();
      java.lang.reflect.Field f = PipelineStage.class.getDeclaredField("params");
      f.setAccessible(true);
      org.apache.spark.ml.param.Param<?>[] more = Arrays.copyOf(declared, declared.length + 1);
      more[declared.length] = silent;
      f.set(stage, more);
      stage.set(silent, 1);
      // XGBoost itself would then warn that it does not use "silent"
      e.setVerbosity(0);
    } catch (ReflectiveOperationException | RuntimeException ex) {
      // a Spark whose stages keep their parameters elsewhere: the rounds get printed
    }
  }

  /**
   * The rows in {@code workers} partitions where that needs no shuffle (fewer stay as they are).
   */
  static Dataset<Row> perWorker(Dataset<Row> rows, int workers) {
    return rows.rdd().getNumPartitions() > workers ? rows.coalesce(workers) : rows;
  }

  /** A registered model version; the newest when {@code version} is null. */
  public ModelVersion get(String name, Integer version) {
    return TrainingSets.pick(registry.models(name), "model", name, version);
  }

  /** What a scoring run wrote. */
  public record Scored(
      TableLocation output, Optional<Snapshot> snapshot, long rows, String model) {}

  /**
   * Scores an entity table: its rows get the model's features point-in-time from the offline store
   * (the feature views at the versions the model was trained with), then a prediction (and, for a
   * classifier, the probability of 1), written as a table.
   */
  public Scored score(
      String model,
      Integer version,
      TableLocation entities,
      String timestampColumn,
      TableLocation output,
      boolean overwrite) {
    ModelVersion mv = get(model, version);
    LineageId trained = LineageId.parse(mv.trainingSet());
    TrainingSet set =
        TrainingSets.pick(
            registry.trainingSets(trained.name()),
            "training set",
            trained.name(),
            Integer.parseInt(trained.version().substring(1)));
    FeatureService service = set.service(registry);
    Map<String, Integer> views = new LinkedHashMap<>(set.views());
    Dataset<Row> input;
    try {
      input = Tables.read(spark, entities, Optional.empty());
    } catch (RuntimeException e) {
      throw new InvalidInputException(
          "cannot read the entity table " + entities + ": " + e.getMessage(), e);
    }
    List<String> entityColumns = Arrays.asList(input.columns());
    OfflineStore.Historical h =
        new OfflineStore(spark, registry, warehouse)
            .historical(input, timestampColumn, service.projections(), false, List.of(), views);
    PipelineModel pipeline = PipelineModel.load(mv.sparkModel());
    Dataset<Row> predicted = pipeline.transform(prepare(h.rows(), mv.features(), null));
    List<Column> out = new ArrayList<>();
    entityColumns.forEach(c -> out.add(col("`" + c + "`")));
    out.add(col("prediction"));
    if (mv.task() == Task.CLASSIFIER) {
      out.add(
          org.apache
              .spark
              .ml
              .functions
              .vector_to_array(col("probability"), "float64")
              .getItem(1)
              .as("probability"));
    }
    out.add(lit(mv.nodeId()).as("model"));
    List<LineageId> inputs = new ArrayList<>(h.inputs());
    inputs.add(LineageId.parse(mv.nodeId()));
    inputs.add(LineageId.table(entities, Optional.empty()));
    RunRecord started =
        RunRecord.started(
            SCORE_JOB, inputs, Map.of("model", mv.nodeId(), "output", output.location()));
    OutputTables.Written w =
        OutputTables.write(
            spark,
            registry,
            started,
            predicted.select(out.toArray(Column[]::new)),
            output,
            overwrite);
    return new Scored(output, w.snapshot(), w.rows(), mv.nodeId());
  }
}
