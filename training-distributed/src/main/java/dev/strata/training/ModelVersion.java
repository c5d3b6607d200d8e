package dev.strata.training;

import dev.strata.registry.LineageNode;
import dev.strata.training.Models.Task;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A registered model version. */
public record ModelVersion(
    String name,
    int version,
    String nodeId,
    Task task,
    List<String> features,
    Map<String, Double> metrics,
    String sparkModel,
    String xgboostModel,
    Map<String, String> properties) {

  static ModelVersion of(LineageNode n) {
    Map<String, String> p = n.properties();
    Map<String, Double> metrics = new TreeMap<>();
    p.forEach(
        (k, v) -> {
          if (k.startsWith("metric.")) {
            metrics.put(k.substring("metric.".length()), Double.parseDouble(v));
          }
        });
    return new ModelVersion(
        n.name(),
        Integer.parseInt(n.version().substring(1)),
        n.id(),
        Task.parse(p.get("task")),
        Arrays.asList(p.get("features").split(",")),
        metrics,
        p.get("spark_model"),
        p.get("xgboost_model"),
        p);
  }
}
