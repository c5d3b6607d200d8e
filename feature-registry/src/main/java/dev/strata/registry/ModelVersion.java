package dev.strata.registry;

import dev.strata.errors.InvalidInputException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A registered model version: what it was trained on and how, where its artifacts are, and its
 * validation metrics. The registry keeps it in its catalog, and on the lineage node {@code
 * model:NAME@vN} ({@link RunStore#registerModel}); {@link #toProperties} and {@link
 * #fromProperties} are the one codec of its stored form.
 *
 * @param trainingSet the lineage id of the training set version it was trained on
 * @param splitAt examples before it trained the model, the rest validated it
 * @param metrics validation metrics by name (auc, log_loss, rmse, ...)
 */
public record ModelVersion(
    String name,
    int version,
    String nodeId,
    Task task,
    String trainingSet,
    List<String> features,
    String labelColumn,
    String timestampColumn,
    Instant splitAt,
    long trainRows,
    long validationRows,
    String sparkModel,
    String xgboostModel,
    Params params,
    long boostedRounds,
    Map<String, Double> metrics,
    String runId) {

  /** What a model predicts. */
  public enum Task {
    CLASSIFIER,
    REGRESSOR;

    public static Task parse(String text) {
      try {
        return valueOf(text.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("unknown task '" + text + "': classifier or regressor");
      }
    }
  }

  /** The training parameters it was trained with. */
  public record Params(
      int workers,
      int rounds,
      int earlyStoppingRounds,
      int maxDepth,
      double eta,
      long seed,
      String device,
      double threshold) {}

  public ModelVersion {
    features = List.copyOf(features);
    metrics = java.util.Collections.unmodifiableMap(new TreeMap<>(metrics));
  }

  private static final String METRIC = "metric.";

  /** The same model as the registry's version {@code version} of it. */
  public ModelVersion withVersion(int version) {
    return new ModelVersion(
        name,
        version,
        LineageId.artifact(LineageNode.MODEL, name, version).toString(),
        task,
        trainingSet,
        features,
        labelColumn,
        timestampColumn,
        splitAt,
        trainRows,
        validationRows,
        sparkModel,
        xgboostModel,
        params,
        boostedRounds,
        metrics,
        runId);
  }

  /** Reads the stored form back. */
  public static ModelVersion fromProperties(
      String name, int version, String nodeId, Map<String, String> p) {
    Map<String, Double> metrics = new TreeMap<>();
    p.forEach(
        (k, v) -> {
          if (k.startsWith(METRIC)) {
            metrics.put(k.substring(METRIC.length()), Double.parseDouble(v));
          }
        });
    return new ModelVersion(
        name,
        version,
        nodeId,
        Task.parse(p.get("task")),
        p.get("training_set"),
        Arrays.asList(p.get("features").split(",")),
        p.get("label_column"),
        p.get("timestamp_column"),
        Instant.parse(p.get("split_at")),
        Long.parseLong(p.get("train_rows")),
        Long.parseLong(p.get("validation_rows")),
        p.get("spark_model"),
        p.get("xgboost_model"),
        new Params(
            Integer.parseInt(p.get("param.workers")),
            Integer.parseInt(p.get("param.rounds")),
            Integer.parseInt(p.get("param.early_stopping_rounds")),
            Integer.parseInt(p.get("param.max_depth")),
            Double.parseDouble(p.get("param.eta")),
            Long.parseLong(p.get("param.seed")),
            p.get("param.device"),
            Double.parseDouble(p.get("param.threshold"))),
        Long.parseLong(p.get("boosted_rounds")),
        metrics,
        p.getOrDefault("run", ""));
  }

  /** The stored form, which {@link #fromProperties} reads back. */
  public Map<String, String> toProperties() {
    Map<String, String> p = new TreeMap<>();
    p.put("task", task.name().toLowerCase(java.util.Locale.ROOT));
    p.put("training_set", trainingSet);
    p.put("features", String.join(",", features));
    p.put("label_column", labelColumn);
    p.put("timestamp_column", timestampColumn);
    p.put("split_at", splitAt.toString());
    p.put("train_rows", Long.toString(trainRows));
    p.put("validation_rows", Long.toString(validationRows));
    p.put("spark_model", sparkModel);
    p.put("xgboost_model", xgboostModel);
    p.put("param.workers", Integer.toString(params.workers()));
    p.put("param.rounds", Integer.toString(params.rounds()));
    p.put("param.early_stopping_rounds", Integer.toString(params.earlyStoppingRounds()));
    p.put("param.max_depth", Integer.toString(params.maxDepth()));
    p.put("param.eta", Double.toString(params.eta()));
    p.put("param.seed", Long.toString(params.seed()));
    p.put("param.device", params.device());
    p.put("param.threshold", Double.toString(params.threshold()));
    p.put("boosted_rounds", Long.toString(boostedRounds));
    metrics.forEach((k, v) -> p.put(METRIC + k, Double.toString(v)));
    p.put("run", runId);
    return p;
  }
}
