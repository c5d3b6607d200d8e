package dev.strata.registry;

import dev.strata.dsl.ObjectKind;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node of the lineage graph: a source table, a definition version, an offline table at a
 * snapshot, a run, a training dataset or a model.
 *
 * <p>Ids are readable and stable: {@code table:delta:/data/flights}, {@code
 * feature_view:origin_delays@v2}, {@code offline_table:delta:/warehouse/origin_delays@7}.
 */
public record LineageNode(LineageId id, Map<String, String> properties, Instant createdAt) {

  public static final String TABLE = "table";
  public static final String OFFLINE_TABLE = "offline_table";
  public static final String MATERIALIZATION_RUN = "materialization_run";
  public static final String LOGS_LOAD_RUN = "logs_load_run";
  public static final String KAFKA_TOPIC = "kafka_topic";
  public static final String STREAM_RUN = "stream_run";
  public static final String TRAINING_DATASET = "training_dataset";
  public static final String MODEL = "model";

  public LineageNode {
    java.util.Objects.requireNonNull(id, "id");
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  /** Its kind: {@code table}, {@code feature_view}, {@code model}, ... */
  public String kind() {
    return id.kind();
  }

  public String name() {
    return id.name();
  }

  /** Its version ({@code v2}, a snapshot id), or "" for none. */
  public String version() {
    return id.version();
  }

  public static LineageNode of(
      String kind, String name, String version, Map<String, String> props) {
    return of(new LineageId(kind, name, version), props);
  }

  /** A new node with this id, created now. */
  public static LineageNode of(LineageId id, Map<String, String> props) {
    return new LineageNode(id, props, Instant.now());
  }

  /** This node's id as a value (the same as {@link #id()}). */
  public LineageId lineageId() {
    return id;
  }

  public static String definitionId(ObjectKind kind, String name, int version) {
    return LineageId.definition(kind, name, version).toString();
  }

  @Override
  public String toString() {
    return id.toString();
  }
}
