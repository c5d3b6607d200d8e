package dev.strata.registry;

import dev.strata.dsl.ObjectKind;
import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node of the lineage graph: a source table, a definition version, an offline table at a
 * snapshot, a run, a training dataset or a model.
 *
 * <p>Ids are readable and stable: {@code table:delta:/data/flights}, {@code
 * feature_view:origin_delays@v2}, {@code offline_table:delta:/warehouse/origin_delays@7}.
 */
public record LineageNode(
    String id,
    String kind,
    String name,
    String version,
    Map<String, String> properties,
    Instant createdAt) {

  public static final String TABLE = "table";
  public static final String OFFLINE_TABLE = "offline_table";
  public static final String MATERIALIZATION_RUN = "materialization_run";
  public static final String TRAINING_DATASET = "training_dataset";
  public static final String MODEL = "model";

  public LineageNode {
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  public static LineageNode of(
      String kind, String name, String version, Map<String, String> props) {
    return of(new LineageId(kind, name, version), props);
  }

  /** A new node with this id, created now. */
  public static LineageNode of(LineageId id, Map<String, String> props) {
    return new LineageNode(id.toString(), id.kind(), id.name(), id.version(), props, Instant.now());
  }

  /** This node's id as a value. */
  public LineageId lineageId() {
    return new LineageId(kind, name, version);
  }

  /** The lineage kind of a definition kind: {@code feature_view}, ... */
  public static String kindOf(ObjectKind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  public static String definitionId(ObjectKind kind, String name, int version) {
    return LineageId.definition(kind, name, version).toString();
  }

  @Override
  public String toString() {
    return id;
  }
}
