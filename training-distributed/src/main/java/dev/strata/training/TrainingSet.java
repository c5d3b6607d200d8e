package dev.strata.training;

import dev.strata.dsl.FeatureService;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.offline.TableFormat;
import dev.strata.registry.LineageNode;
import dev.strata.registry.RegistryStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A registered training dataset. */
public record TrainingSet(
    String name,
    int version,
    String nodeId,
    TableLocation table,
    Optional<Snapshot> snapshot,
    long rows,
    String checksum,
    String timestampColumn,
    String labelColumn,
    List<String> features,
    Instant start,
    Instant end,
    Map<String, String> properties) {

  static TrainingSet of(LineageNode n) {
    Map<String, String> p = n.properties();
    return new TrainingSet(
        n.name(),
        Integer.parseInt(n.version().substring(1)),
        n.id(),
        TableFormat.parse(p.get("format")).at(p.get("location")),
        Snapshot.ofNullable(p.get("snapshot")),
        Long.parseLong(p.get("rows")),
        p.get("checksum"),
        p.get("timestamp_column"),
        p.get("label_column"),
        Arrays.asList(p.get("features").split(",")),
        Instant.parse(p.get("start")),
        Instant.parse(p.get("end")),
        p);
  }

  /** The feature views it was built from, at the versions it used. */
  public Map<String, Integer> viewVersions() {
    Map<String, Integer> views = new LinkedHashMap<>();
    properties.forEach(
        (k, v) -> {
          if (k.startsWith("view_version.")) {
            views.put(k.substring("view_version.".length()), Integer.parseInt(v));
          }
        });
    return views;
  }

  /** Its feature service, at the version it used. */
  public FeatureService service(RegistryStore registry) {
    return registry
        .registeredService(
            properties.get("feature_service"),
            Integer.parseInt(properties.get("feature_service_version")))
        .orElseThrow()
        .definition();
  }
}
