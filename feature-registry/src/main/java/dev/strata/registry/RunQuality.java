package dev.strata.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Expectation;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one run found about the rows it wrote: each feature's {@link FeatureStatistics} and each
 * expectation's {@link ExpectationResult}. A completed run records it with its completion (then
 * {@code snapshot} is the table version the rows went into); a run stopped by a STRICT expectation
 * records it before it fails, without a snapshot.
 *
 * <pre>{@code
 * RunQuality q = registry.quality(Subject.view("origin_delays", 1)).get(0);  // newest first
 * q.statistics().forEach(s -> System.out.println(s.feature() + " " + s.mean()));
 * }</pre>
 *
 * @param subject what the rows are: a feature view version's offline table or online values, or a
 *     training set version
 */
public record RunQuality(
    String runId,
    JobKind job,
    Subject subject,
    Optional<Snapshot> snapshot,
    Instant recordedAt,
    List<FeatureStatistics> statistics,
    List<ExpectationResult> expectations)
    implements CatalogEntry {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** What a run's rows are of: {@code feature_view} or {@code training_set}, name and version. */
  public record Subject(String kind, String name, int version) {
    public static final String FEATURE_VIEW = "feature_view";
    public static final String TRAINING_SET = "training_set";

    public Subject {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
    }

    public static Subject view(String name, int version) {
      return new Subject(FEATURE_VIEW, name, version);
    }

    public static Subject trainingSet(String name, int version) {
      return new Subject(TRAINING_SET, name, version);
    }

    @Override
    public String toString() {
      return kind + ":" + name + "@v" + version;
    }
  }

  public RunQuality {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(snapshot, "snapshot");
    Objects.requireNonNull(recordedAt, "recordedAt");
    statistics = List.copyOf(statistics);
    expectations = List.copyOf(expectations);
  }

  /** The same findings, for another subject (a training set once its version is known). */
  public RunQuality about(Subject other, Optional<Snapshot> written) {
    return new RunQuality(runId, job, other, written, recordedAt, statistics, expectations);
  }

  /** The same findings, of the rows as committed in {@code written}. */
  public RunQuality committedAs(Snapshot written) {
    return about(subject, Optional.of(written));
  }

  public Optional<FeatureStatistics> statistics(String feature) {
    return statistics.stream().filter(s -> s.feature().equals(feature)).findFirst();
  }

  /** The expectations that failed and stop the job. */
  public List<ExpectationResult> blocking() {
    return expectations.stream().filter(ExpectationResult::blocks).toList();
  }

  /** The stored form of the statistics and expectation results, which {@link #fromJson} reads. */
  public String toJson() {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode stats = root.putArray("statistics");
    for (FeatureStatistics s : statistics) {
      ObjectNode n = stats.addObject();
      n.put("feature", s.feature()).put("type", s.type().name());
      n.put("count", s.count()).put("nulls", s.nulls());
      n.put("mean", s.mean()).put("stddev", s.stddev()).put("min", s.min()).put("max", s.max());
      ArrayNode q = n.putArray("quantiles");
      s.quantiles().forEach(q::add);
      n.put("approxDistinct", s.approxDistinct());
      ArrayNode h = n.putArray("histogram");
      s.histogram().bins().forEach(b -> h.addArray().add(b.index()).add(b.count()));
    }
    ArrayNode ex = root.putArray("expectations");
    for (ExpectationResult r : expectations) {
      ex.addObject()
          .put("view", r.view())
          .put("expectation", r.expectation())
          .put("severity", r.severity().name())
          .put("passed", r.passed())
          .put("observed", r.observed());
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads the stored form back. */
  public static RunQuality fromJson(
      String runId,
      JobKind job,
      Subject subject,
      Optional<Snapshot> snapshot,
      Instant recordedAt,
      String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("run " + runId + ": unreadable quality record", e);
    }
    List<FeatureStatistics> stats = new ArrayList<>();
    for (JsonNode n : root.path("statistics")) {
      List<Double> q = new ArrayList<>();
      n.path("quantiles").forEach(v -> q.add(v.asDouble()));
      List<FeatureStatistics.Histogram.Bin> bins = new ArrayList<>();
      n.path("histogram")
          .forEach(
              b ->
                  bins.add(
                      new FeatureStatistics.Histogram.Bin(b.get(0).asInt(), b.get(1).asLong())));
      stats.add(
          new FeatureStatistics(
              n.path("feature").asText(),
              ValueType.valueOf(n.path("type").asText()),
              n.path("count").asLong(),
              n.path("nulls").asLong(),
              number(n, "mean"),
              number(n, "stddev"),
              number(n, "min"),
              number(n, "max"),
              q,
              n.path("approxDistinct").asLong(),
              new FeatureStatistics.Histogram(bins)));
    }
    List<ExpectationResult> results = new ArrayList<>();
    for (JsonNode n : root.path("expectations")) {
      results.add(
          new ExpectationResult(
              n.path("view").asText(),
              n.path("expectation").asText(),
              Expectation.Severity.valueOf(n.path("severity").asText()),
              n.path("passed").asBoolean(),
              n.path("observed").asText()));
    }
    return new RunQuality(runId, job, subject, snapshot, recordedAt, stats, results);
  }

  private static Double number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asDouble();
  }
}
