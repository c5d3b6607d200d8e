package dev.strata.registry;

import dev.strata.dsl.FeatureService;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.TableLocation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A registered training dataset: where its rows are, what it was built from (the labels and every
 * source at a snapshot, the feature service and views at a version), and a checksum of its rows.
 * The registry keeps it in its catalog, and on the lineage node {@code training_dataset:NAME@vN}
 * ({@link RunStore#registerTrainingSet}); {@link #toProperties} and {@link #fromProperties} are the
 * one codec of its stored form.
 *
 * @param sources every source it read, by name, at the snapshot it read (none for Parquet)
 * @param views the feature views it used, by name, at the version it used
 * @param runId the run that built it
 */
public record TrainingSet(
    String name,
    int version,
    String nodeId,
    TableLocation table,
    Optional<Snapshot> snapshot,
    long rows,
    String checksum,
    TableLocation labels,
    Optional<Snapshot> labelsSnapshot,
    String timestampColumn,
    String labelColumn,
    List<String> features,
    String featureService,
    int featureServiceVersion,
    Instant start,
    Instant end,
    List<SourceRead> sources,
    Map<String, Integer> views,
    String runId) {

  public TrainingSet {
    features = List.copyOf(features);
    // by source name: the order the stored form reads them back in
    sources = sources.stream().sorted(java.util.Comparator.comparing(SourceRead::source)).toList();
    views = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(views));
  }

  /** Its feature service, at the version it used. */
  public FeatureService service(DefinitionStore registry) {
    return registry
        .registeredService(featureService, featureServiceVersion)
        .orElseThrow()
        .definition();
  }

  /** The same training set as the registry's version {@code version} of it. */
  public TrainingSet withVersion(int version) {
    return new TrainingSet(
        name,
        version,
        LineageId.artifact(LineageNode.TRAINING_DATASET, name, version).toString(),
        table,
        snapshot,
        rows,
        checksum,
        labels,
        labelsSnapshot,
        timestampColumn,
        labelColumn,
        features,
        featureService,
        featureServiceVersion,
        start,
        end,
        sources,
        views,
        runId);
  }

  /** Reads the stored form back. */
  public static TrainingSet fromProperties(
      String name, int version, String nodeId, Map<String, String> p) {
    List<SourceRead> sources = new ArrayList<>();
    Map<String, Integer> views = new LinkedHashMap<>();
    p.forEach(
        (k, v) -> {
          if (k.startsWith(SOURCE_SNAPSHOT)) {
            sources.add(
                new SourceRead(k.substring(SOURCE_SNAPSHOT.length()), Snapshot.ofNullable(v)));
          } else if (k.startsWith(VIEW_VERSION)) {
            views.put(k.substring(VIEW_VERSION.length()), Integer.parseInt(v));
          }
        });
    return new TrainingSet(
        name,
        version,
        nodeId,
        table(p.get("format"), p.get("location")),
        Snapshot.ofNullable(p.get("snapshot")),
        Long.parseLong(p.get("rows")),
        p.get("checksum"),
        table(p.get("labels_format"), p.get("labels")),
        Snapshot.ofNullable(p.get("labels_snapshot")),
        p.get("timestamp_column"),
        p.get("label_column"),
        Arrays.asList(p.get("features").split(",")),
        p.get("feature_service"),
        Integer.parseInt(p.get("feature_service_version")),
        Instant.parse(p.get("start")),
        Instant.parse(p.get("end")),
        sources,
        views,
        p.getOrDefault("run", ""));
  }

  private static final String SOURCE_SNAPSHOT = "source_snapshot.";
  private static final String VIEW_VERSION = "view_version.";

  private static TableLocation table(String format, String location) {
    return TableLocation.of(SourceFormat.valueOf(format.toUpperCase(Locale.ROOT)), location);
  }

  /** The stored form, which {@link #fromProperties} reads back. */
  public Map<String, String> toProperties() {
    Map<String, String> p = new TreeMap<>();
    p.put("labels", labels.location());
    p.put("labels_format", labels.formatName());
    p.put("labels_snapshot", Snapshot.idOrEmpty(labelsSnapshot));
    p.put("timestamp_column", timestampColumn);
    p.put("label_column", labelColumn);
    p.put("feature_service", featureService);
    p.put("feature_service_version", Integer.toString(featureServiceVersion));
    p.put("start", start.toString());
    p.put("end", end.toString());
    p.put("format", table.formatName());
    p.put("location", table.location());
    p.put("snapshot", Snapshot.idOrEmpty(snapshot));
    p.put("rows", Long.toString(rows));
    p.put("checksum", checksum);
    p.put("features", String.join(",", features));
    sources.forEach(s -> p.put(SOURCE_SNAPSHOT + s.source(), Snapshot.idOrEmpty(s.snapshot())));
    views.forEach((v, n) -> p.put(VIEW_VERSION + v, Integer.toString(n)));
    p.put("run", runId);
    return p;
  }
}
