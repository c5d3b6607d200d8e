package dev.strata.jobs.cli;

import dev.strata.dsl.VersionedName;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.TrainingSet;
import dev.strata.training.GpuSupport;
import dev.strata.training.Models;
import dev.strata.training.TrainSpec;
import dev.strata.training.TrainingSets;
import dev.strata.training.TrainingSets.TrainingSetSpec;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata training-set}, {@code strata train} and {@code strata score}. */
final class TrainingCommands {
  private TrainingCommands() {}

  static Instant instant(String option, String text) {
    try {
      return text.length() == 10 ? Instant.parse(text + "T00:00:00Z") : Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new StrataCli.UsageException(
          option
              + " '"
              + text
              + "' is not a date (2001-01-15) or an instant (2001-01-15T06:00:00Z)");
    }
  }

  @Command(
      name = "training-set",
      mixinStandardHelpOptions = true,
      description = {
        "Build a training dataset: the label table's rows in [--start, --end), with the feature",
        "service's features point in time, stored as a table and registered as",
        "training_dataset:NAME@vN with the snapshots and versions it read."
      })
  static final class TrainingSetCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();

    @Parameters(index = "0", paramLabel = "NAME", description = "The training set's name.")
    String name;

    @Option(
        names = "--labels",
        required = true,
        paramLabel = "LOCATION",
        description = "The label (entity) table.")
    String labels;

    @Option(
        names = "--labels-format",
        paramLabel = "FORMAT",
        description = "delta (default), iceberg, hudi or parquet.")
    String labelsFormat = "delta";

    @Option(
        names = "--timestamp-column",
        required = true,
        paramLabel = "COLUMN",
        description = "Each example's time.")
    String timestampColumn;

    @Option(
        names = "--label-column",
        required = true,
        paramLabel = "COLUMN",
        description = "What the model learns.")
    String labelColumn;

    @Option(
        names = "--service",
        required = true,
        paramLabel = "NAME",
        description = "A registered feature service.")
    String service;

    @Option(
        names = "--start",
        required = true,
        paramLabel = "TIME",
        description = "First example time (inclusive).")
    String start;

    @Option(
        names = "--end",
        required = true,
        paramLabel = "TIME",
        description = "End of the examples (exclusive).")
    String end;

    @Option(
        names = "--format",
        paramLabel = "FORMAT",
        description = "delta (default), iceberg or hudi.")
    String format = "delta";

    @Override
    public Integer call() {
      TrainingSetSpec s =
          new TrainingSetSpec(
              name,
              Jobs.format(labelsFormat).at(labels),
              timestampColumn,
              labelColumn,
              service,
              instant("--start", start),
              instant("--end", end),
              Jobs.offlineFormat(format));
      try (RegistryStore store = registry.open()) {
        SparkSession spark = sparkOptions.session("training-set");
        TrainingSet ts =
            SparkOptions.reported(
                spark,
                "training-set " + s.name(),
                () -> new TrainingSets(spark, store, sparkOptions.warehouse).build(s));
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "Registered "
                + ts.nodeId()
                + ": "
                + ts.rows()
                + " rows, "
                + ts.features().size()
                + " features, "
                + ts.table().formatName()
                + " "
                + ts.table().location()
                + ts.snapshot().map(x -> " at " + x).orElse("")
                + ", checksum "
                + ts.checksum());
        return StrataCli.OK;
      }
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description = {
        "Train a distributed XGBoost model on a registered training set (split by time, early",
        "stopping on the later part) and register it as model:NAME@vN with its metrics."
      })
  static final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();

    @Parameters(index = "0", paramLabel = "MODEL", description = "The model's name.")
    String model;

    @Option(
        names = "--training-set",
        required = true,
        paramLabel = "NAME[@vN]",
        description = "A registered training set.")
    String trainingSet;

    @Option(
        names = "--task",
        paramLabel = "TASK",
        description = "classifier (default) or regressor.")
    String task = "classifier";

    @Option(names = "--workers", paramLabel = "N", description = "XGBoost workers (default 2).")
    int workers = 2;

    @Option(
        names = "--rounds",
        paramLabel = "N",
        description = "Boosting rounds at most (default 200).")
    int rounds = 200;

    @Option(
        names = "--early-stopping",
        paramLabel = "N",
        description = "Stop after N rounds without improvement (default 20; 0: off).")
    int earlyStopping = 20;

    @Option(names = "--max-depth", paramLabel = "N", description = "Tree depth (default 6).")
    int maxDepth = 6;

    @Option(names = "--eta", paramLabel = "X", description = "Learning rate (default 0.1).")
    double eta = 0.1;

    @Option(
        names = "--validation-fraction",
        paramLabel = "X",
        description = "Share of the time range, at its end, for validation (default 0.2).")
    double validationFraction = 0.2;

    @Option(
        names = "--threshold",
        paramLabel = "X",
        description = "Probability threshold for precision/recall/F1 (default 0.5).")
    double threshold = 0.5;

    @Option(
        names = "--gpu",
        description = "Train on GPUs: Spark RAPIDS and XGBoost device=cuda (runtime jars needed).")
    boolean gpu;

    @Override
    public Integer call() {
      if (gpu) {
        try {
          GpuSupport.check(); // before a session starts or anything is read
        } catch (IllegalStateException e) {
          throw new StrataCli.UsageException(e.getMessage());
        }
      }
      VersionedName set = VersionedName.parse(trainingSet);
      TrainSpec s =
          new TrainSpec(
              model,
              set.name(),
              set.versionOrNull(),
              ModelVersion.Task.parse(task),
              workers,
              rounds,
              earlyStopping,
              maxDepth,
              eta,
              validationFraction,
              threshold,
              gpu,
              7);
      try (RegistryStore store = registry.open()) {
        SparkSession spark =
            gpu
                ? sparkOptions.session("train", GpuSupport.sparkConf(workers))
                : sparkOptions.session("train");
        ModelVersion m =
            SparkOptions.reported(
                spark,
                "train " + s.model(),
                () -> new Models(spark, store, sparkOptions.warehouse).train(s));
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "Registered "
                + m.nodeId()
                + " ("
                + m.task().name().toLowerCase()
                + ", "
                + m.features().size()
                + " features, "
                + m.boostedRounds()
                + " rounds, trained on "
                + m.trainRows()
                + " rows before "
                + m.splitAt()
                + ", validated on "
                + m.validationRows()
                + ")");
        for (Map.Entry<String, Double> e : m.metrics().entrySet()) {
          out.printf("  %-10s %.4f%n", e.getKey(), e.getValue());
        }
        out.println(
            "  model: " + m.sparkModel() + " (Spark ML), " + m.xgboostModel() + " (XGBoost)");
        return StrataCli.OK;
      }
    }
  }

  @Command(
      name = "score",
      mixinStandardHelpOptions = true,
      description = {
        "Score an entity table with a registered model: features point in time from the offline",
        "store, predictions written to a table."
      })
  static final class ScoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();

    @Parameters(index = "0", paramLabel = "MODEL[@vN]", description = "A registered model.")
    String model;

    @Option(
        names = "--entities",
        required = true,
        paramLabel = "LOCATION",
        description = "The rows to score.")
    String entities;

    @Option(
        names = "--entities-format",
        paramLabel = "FORMAT",
        description = "parquet (default), delta, iceberg or hudi.")
    String entitiesFormat = "parquet";

    @Option(
        names = "--timestamp-column",
        required = true,
        paramLabel = "COLUMN",
        description = "Features as of this time.")
    String timestampColumn;

    @Option(
        names = "--output",
        required = true,
        paramLabel = "LOCATION",
        description = "Where to write predictions.")
    String output;

    @Option(
        names = "--output-format",
        paramLabel = "FORMAT",
        description = "delta (default), parquet, iceberg or hudi.")
    String outputFormat = "delta";

    @Option(names = "--overwrite", description = "Replace the output if it exists.")
    boolean overwrite;

    @Override
    public Integer call() {
      VersionedName nv = VersionedName.parse(model);
      try (RegistryStore store = registry.open()) {
        SparkSession spark = sparkOptions.session("score");
        Models.Scored s =
            new Models(spark, store, sparkOptions.warehouse)
                .score(
                    nv.name(),
                    nv.versionOrNull(),
                    Jobs.format(entitiesFormat).at(entities),
                    timestampColumn,
                    Jobs.format(outputFormat).at(output),
                    overwrite);
        spec.commandLine()
            .getOut()
            .println(
                "Scored "
                    + s.rows()
                    + " rows with "
                    + s.model()
                    + " into "
                    + output
                    + s.snapshot().map(x -> " at " + x).orElse(""));
        return StrataCli.OK;
      }
    }
  }
}
