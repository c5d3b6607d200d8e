package dev.strata.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One drift check of a feature view: a reference and a current distribution compared per feature,
 * against thresholds. {@code strata drift} records each; the feature server exposes the newest per
 * view as Prometheus gauges.
 *
 * @param reference what the reference was, e.g. {@code 2001-01-08..2001-01-14} or {@code training
 *     set delays@v2}
 * @param current what the current window was, e.g. {@code 2001-01-15..2001-01-21} or {@code served
 *     2026-11-26..2026-11-26}
 */
public record DriftReport(
    String id,
    Instant recordedAt,
    String view,
    int viewVersion,
    String reference,
    String current,
    Thresholds thresholds,
    List<FeatureDrift> features) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** A feature drifts when any of its figures exceeds its threshold. */
  public record Thresholds(double psi, double ks, double js) {
    /** PSI 0.2 (the usual "significant shift"), KS 0.1, JS 0.1 bits. */
    public static final Thresholds DEFAULTS = new Thresholds(0.2, 0.1, 0.1);
  }

  /**
   * One feature's figures (NaN where a side has no values; then it counts as drifted) and the
   * histogram they were computed on: bin {@code i} holds the values in {@code (edges[i-1],
   * edges[i]]}, the first bin everything up to {@code edges[0]}, the last everything above the last
   * edge; the edges are the reference's deciles.
   */
  public record FeatureDrift(
      String feature,
      long referenceValues,
      long currentValues,
      double psi,
      double ks,
      double js,
      boolean drifted,
      List<Double> edges,
      List<Long> referenceBins,
      List<Long> currentBins) {
    public FeatureDrift {
      Objects.requireNonNull(feature, "feature");
      edges = List.copyOf(edges);
      referenceBins = List.copyOf(referenceBins);
      currentBins = List.copyOf(currentBins);
    }
  }

  public DriftReport {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(recordedAt, "recordedAt");
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(thresholds, "thresholds");
    features = List.copyOf(features);
  }

  /** A new report with a fresh id, recorded now. */
  public static DriftReport of(
      String view,
      int viewVersion,
      String reference,
      String current,
      Thresholds thresholds,
      List<FeatureDrift> features) {
    return new DriftReport(
        UUID.randomUUID().toString(),
        Instant.now(),
        view,
        viewVersion,
        reference,
        current,
        thresholds,
        features);
  }

  /** How many features drifted. */
  public long drifted() {
    return features.stream().filter(FeatureDrift::drifted).count();
  }

  public String toJson() {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", id);
    o.put("recorded_at", recordedAt.toString());
    o.put("view", view);
    o.put("view_version", viewVersion);
    o.put("reference", reference);
    o.put("current", current);
    ObjectNode t = o.putObject("thresholds");
    t.put("psi", thresholds.psi());
    t.put("ks", thresholds.ks());
    t.put("js", thresholds.js());
    ArrayNode fs = o.putArray("features");
    for (FeatureDrift f : features) {
      ObjectNode n = fs.addObject();
      n.put("feature", f.feature());
      n.put("reference_values", f.referenceValues());
      n.put("current_values", f.currentValues());
      number(n, "psi", f.psi());
      number(n, "ks", f.ks());
      number(n, "js", f.js());
      n.put("drifted", f.drifted());
      ArrayNode e = n.putArray("edges");
      f.edges().forEach(e::add);
      ArrayNode r = n.putArray("reference_bins");
      f.referenceBins().forEach(r::add);
      ArrayNode c = n.putArray("current_bins");
      f.currentBins().forEach(c::add);
    }
    try {
      return MAPPER.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static DriftReport fromJson(String json) {
    try {
      JsonNode o = MAPPER.readTree(json);
      List<FeatureDrift> features = new ArrayList<>();
      for (JsonNode n : o.get("features")) {
        List<Double> edges = new ArrayList<>();
        n.get("edges").forEach(x -> edges.add(x.asDouble()));
        List<Long> ref = new ArrayList<>();
        n.get("reference_bins").forEach(x -> ref.add(x.asLong()));
        List<Long> cur = new ArrayList<>();
        n.get("current_bins").forEach(x -> cur.add(x.asLong()));
        features.add(
            new FeatureDrift(
                n.get("feature").asText(),
                n.get("reference_values").asLong(),
                n.get("current_values").asLong(),
                number(n, "psi"),
                number(n, "ks"),
                number(n, "js"),
                n.get("drifted").asBoolean(),
                edges,
                ref,
                cur));
      }
      JsonNode t = o.get("thresholds");
      return new DriftReport(
          o.get("id").asText(),
          Instant.parse(o.get("recorded_at").asText()),
          o.get("view").asText(),
          o.get("view_version").asInt(),
          o.get("reference").asText(),
          o.get("current").asText(),
          new Thresholds(t.get("psi").asDouble(), t.get("ks").asDouble(), t.get("js").asDouble()),
          features);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a drift report: " + e.getMessage(), e);
    }
  }

  /** NaN (a side without values) as null: JSON has no NaN. */
  private static void number(ObjectNode n, String field, double v) {
    if (Double.isNaN(v)) {
      n.putNull(field);
    } else {
      n.put(field, v);
    }
  }

  private static double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? Double.NaN : v.asDouble();
  }
}
