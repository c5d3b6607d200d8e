package dev.strata.training;

import static dev.strata.training.Models.LABEL;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.strata.registry.ModelVersion.Task;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.mllib.evaluation.BinaryClassificationMetrics;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/** Validation metrics of a trained model, computed by Spark over its validation rows. */
final class ModelMetrics {
  private ModelMetrics() {}

  /**
   * Validation metrics. Classifier: AUC, PR-AUC, log loss, and precision, recall and F1 at the
   * threshold; regressor: RMSE, MAE and R².
   */
  static Map<String, Double> evaluate(Task task, Dataset<Row> predictions, double threshold) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (task == Task.REGRESSOR) {
      RegressionEvaluator e =
          new RegressionEvaluator().setLabelCol(LABEL).setPredictionCol("prediction");
      m.put("rmse", e.setMetricName("rmse").evaluate(predictions));
      m.put("mae", e.setMetricName("mae").evaluate(predictions));
      m.put("r2", e.setMetricName("r2").evaluate(predictions));
      return m;
    }
    Column p =
        org.apache.spark.ml.functions.vector_to_array(col("probability"), "float64").getItem(1);
    // both areas from one set of curve counts (one sort of the scores; an evaluator per metric
    // sorted them twice); exact: every distinct score is a threshold
    BinaryClassificationMetrics curves =
        new BinaryClassificationMetrics(
            predictions
                .select(p, col(LABEL))
                .toJavaRDD()
                .map(r -> new Tuple2<Object, Object>(r.getDouble(0), r.getDouble(1)))
                .rdd(),
            0);
    try {
      m.put("auc", curves.areaUnderROC());
      m.put("pr_auc", curves.areaUnderPR());
    } finally {
      curves.unpersist();
    }
    Column clipped = least(greatest(p, lit(1e-15)), lit(1 - 1e-15));
    Column y = col(LABEL);
    Column predicted = when(p.gt(threshold), 1.0).otherwise(0.0);
    Row r =
        predictions
            .agg(
                avg(
                    y.multiply(log(clipped))
                        .plus(lit(1).minus(y).multiply(log(lit(1).minus(clipped))))
                        .multiply(-1)),
                sum(when(predicted.equalTo(1).and(y.equalTo(1)), 1).otherwise(0)),
                sum(when(predicted.equalTo(1).and(y.equalTo(0)), 1).otherwise(0)),
                sum(when(predicted.equalTo(0).and(y.equalTo(1)), 1).otherwise(0)))
            .first();
    double tp = r.getLong(1);
    double fp = r.getLong(2);
    double fn = r.getLong(3);
    double precision = tp + fp == 0 ? 0 : tp / (tp + fp);
    double recall = tp + fn == 0 ? 0 : tp / (tp + fn);
    m.put("log_loss", r.getDouble(0));
    m.put("precision", precision);
    m.put("recall", recall);
    m.put("f1", precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall));
    return m;
  }
}
