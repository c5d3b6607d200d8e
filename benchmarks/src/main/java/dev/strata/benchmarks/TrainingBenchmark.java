package dev.strata.benchmarks;

import static org.apache.spark.sql.functions.col;

import dev.strata.examples.flights.FlightsRepository;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Warehouse;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.training.Models;
import dev.strata.training.TrainSpec;
import dev.strata.training.TrainingSets;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Distributed training (XGBoost4J-Spark, 2 workers on Spark local[2]) against single-process
 * XGBoost (xgboost4j, 2 threads) on the same training set and params, in one run: the flights
 * training set of the quickstart, a fixed number of rounds (no early stopping, so both do the same
 * work), both timed from the stored table to a trained booster. Writes a Markdown report.
 *
 * <p>{@code benchmarks/run.sh training [--data PATH] [--rounds N]}
 */
public final class TrainingBenchmark {
  public static void main(String[] args) throws Exception {
    String data = FlightsRepository.SAMPLE_PATH;
    int rounds = 100;
    String out = "benchmarks/results/training.md";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = args[++i];
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("strata-train-bench");
    SparkSession spark = Harness.session(work, "strata-training-benchmark", Map.of());
    List<String> report = new ArrayList<>();
    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.embedded(work.resolve("registry")))) {
      registry.apply(
          FlightsRepository.definitions(Path.of(data).toAbsolutePath().toString()),
          ApplyOptions.defaults());
      LocalDate[] days = Harness.days(spark, data);
      LocalDate first = days[0];
      LocalDate last = days[1];
      String labels = work.resolve("labels").toString();
      spark
          .read()
          .parquet(data)
          .select(
              col("origin"),
              col("destination"),
              col("date").as("departure"),
              col("delay").gt(15).cast("int").as("delayed"))
          .write()
          .format("delta")
          .save(labels);
      TrainingSets sets =
          new TrainingSets(spark, registry, Warehouse.local(work.resolve("warehouse")));
      TrainingSet ts =
          sets.build(
              new TrainingSets.TrainingSetSpec(
                  "bench",
                  TableFormat.DELTA.at(labels),
                  "departure",
                  "delayed",
                  "delay_model",
                  first.plusDays(2).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                  last.plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toInstant(),
                  TableFormat.DELTA));
      TrainSpec spec =
          TrainSpec.defaults("bench_model", "bench").withRounds(rounds, 0).withWorkers(2);
      Models models = new Models(spark, registry, Warehouse.local(work.resolve("warehouse")));

      // warm-up of both paths (JIT, native library load), then the timed runs
      models.train(TrainSpec.defaults("warm", "bench").withRounds(5, 0));
      single(spark, sets, ts, spec, 5);

      long t0 = System.nanoTime();
      ModelVersion distributed = models.train(spec);
      double distributedS = (System.nanoTime() - t0) / 1e9;
      t0 = System.nanoTime();
      double[] singleResult = single(spark, sets, ts, spec, rounds);
      double singleS = (System.nanoTime() - t0) / 1e9;

      report.add("# Distributed training against single-process XGBoost");
      report.add("");
      report.add(
          "Command: `benchmarks/run.sh training --data "
              + data
              + " --rounds "
              + rounds
              + "` on "
              + Instant.now()
              + "; 2 cores. Same training set ("
              + ts.rows()
              + " rows x "
              + ts.features().size()
              + " features, split by time at "
              + distributed.splitAt()
              + "), same params (hist, max_depth "
              + spec.maxDepth()
              + ", eta "
              + spec.eta()
              + ", "
              + rounds
              + " rounds, no early stopping). Both times run from the"
              + " stored Delta table to a trained booster, after a warm-up of each path in the same process.");
      report.add("");
      report.add("| trainer | seconds | validation AUC | vs single process |");
      report.add("|---|---|---|---|");
      report.add(
          String.format(
              Locale.ROOT,
              "| XGBoost4J-Spark, 2 workers on Spark local[2] (`strata train`: read, split, fit, evaluate, save, register) | %.1f | %.4f | %.2f x |",
              distributedS,
              distributed.metrics().get("auc"),
              distributedS / singleS));
      report.add(
          String.format(
              Locale.ROOT,
              "| xgboost4j in one process, nthread 2 (read and collect the table, build DMatrix, train, predict) | %.1f | %.4f | 1.00 x |",
              singleS,
              singleResult[0]));
      report.add("");
      report.add(
          String.format(
              Locale.ROOT, "Goal: at most 1.5 x. Reached: **%.2f x**.", distributedS / singleS));
    } finally {
      spark.stop();
    }
    Files.createDirectories(Path.of(out).toAbsolutePath().getParent());
    Files.write(Path.of(out), report, StandardCharsets.UTF_8);
    System.out.println(String.join("\n", report));
  }

  /** Trains with plain xgboost4j on the same rows and split; returns the validation AUC. */
  static double[] single(
      SparkSession spark, TrainingSets sets, TrainingSet ts, TrainSpec spec, int rounds)
      throws Exception {
    Dataset<Row> rows = Models.prepare(sets.read(ts), ts.features(), ts.labelColumn());
    Models.Split split = Models.split(rows, ts, spec.validationFraction());
    float[][] train = matrix(split.train(), ts.features());
    float[][] valid = matrix(split.validation(), ts.features());
    int n = ts.features().size();
    DMatrix dtrain = new DMatrix(train[0], train[1].length, n, Float.NaN);
    dtrain.setLabel(train[1]);
    DMatrix dvalid = new DMatrix(valid[0], valid[1].length, n, Float.NaN);
    dvalid.setLabel(valid[1]);
    Map<String, Object> params = new HashMap<>();
    params.put("objective", "binary:logistic");
    params.put("eval_metric", "logloss");
    params.put("tree_method", "hist");
    params.put("max_depth", spec.maxDepth());
    params.put("eta", spec.eta());
    params.put("nthread", 2);
    params.put("seed", spec.seed());
    params.put("verbosity", 0);
    Booster booster = XGBoost.train(dtrain, params, rounds, new HashMap<>(), null, null);
    float[][] p = booster.predict(dvalid);
    List<double[]> scored = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      scored.add(new double[] {valid[1][i], p[i][0]});
    }
    return new double[] {auc(scored)};
  }

  /** Row-major features and labels of a prepared dataset. */
  static float[][] matrix(Dataset<Row> prepared, List<String> features) {
    List<Row> rows = prepared.select(selectColumns(features)).collectAsList();
    int n = features.size();
    float[] x = new float[rows.size() * n];
    float[] y = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      for (int f = 0; f < n; f++) {
        x[r * n + f] = (float) row.getDouble(f);
      }
      y[r] = (float) row.getDouble(n);
    }
    return new float[][] {x, y};
  }

  private static org.apache.spark.sql.Column[] selectColumns(List<String> features) {
    List<org.apache.spark.sql.Column> cols = new ArrayList<>();
    features.forEach(f -> cols.add(col("`" + f + "`")));
    cols.add(col("__label"));
    return cols.toArray(org.apache.spark.sql.Column[]::new);
  }

  /** AUC by ranks (ties averaged). */
  static double auc(List<double[]> labelAndScore) {
    labelAndScore.sort((a, b) -> Double.compare(a[1], b[1]));
    double rankSum = 0;
    long pos = 0;
    int i = 0;
    while (i < labelAndScore.size()) {
      int j = i;
      while (j < labelAndScore.size() && labelAndScore.get(j)[1] == labelAndScore.get(i)[1]) {
        j++;
      }
      double rank = (i + 1 + j) / 2.0;
      for (int k = i; k < j; k++) {
        if (labelAndScore.get(k)[0] == 1) {
          rankSum += rank;
          pos++;
        }
      }
      i = j;
    }
    long neg = labelAndScore.size() - pos;
    return (rankSum - pos * (pos + 1) / 2.0) / ((double) pos * neg);
  }
}
