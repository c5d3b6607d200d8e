package dev.strata.registry;

import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The id of a lineage node, as a value: a kind, a name and an optional version. Its text form
 * ({@link #toString()}) is what the registry stores: {@code kind:name} or {@code
 * kind:name@version}, for example {@code feature_view:origin_delays@v2}, {@code
 * table:delta:s3a://lake/flights@3}, {@code
 * offline_table:delta:/warehouse/offline/delta/origin_delays_v1@7}.
 *
 * <p>Every id is made here, so that no caller concatenates one by hand.
 */
public record LineageId(String kind, String name, String version) {
  public LineageId {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    version = version == null ? "" : version;
    if (kind.isEmpty() || kind.contains(":")) {
      throw new IllegalArgumentException("lineage kind '" + kind + "' must be a non-empty word");
    }
  }

  /** A definition version: {@code feature_view:origin_delays@v2}. */
  public static LineageId definition(ObjectKind kind, String name, int version) {
    return new LineageId(kind.name().toLowerCase(Locale.ROOT), name, "v" + version);
  }

  /** A raw or output table, at a snapshot when it has one: {@code table:delta:/data/flights@3}. */
  public static LineageId table(TableLocation table, Optional<Snapshot> snapshot) {
    return new LineageId(LineageNode.TABLE, table.qualifiedName(), Snapshot.idOrEmpty(snapshot));
  }

  /** An offline feature table at the snapshot a job wrote or read. */
  public static LineageId offlineTable(TableLocation table, Snapshot snapshot) {
    return new LineageId(LineageNode.OFFLINE_TABLE, table.qualifiedName(), snapshot.id());
  }

  /** A versioned artifact: {@code training_dataset:delays@v3}, {@code model:delay_model@v1}. */
  public static LineageId artifact(String kind, String name, int version) {
    return new LineageId(kind, name, "v" + version);
  }

  /** A Kafka topic: {@code kafka_topic:127.0.0.1:9092/flights}. */
  public static LineageId topic(String bootstrap, String topic) {
    return new LineageId(LineageNode.KAFKA_TOPIC, bootstrap + "/" + topic, "");
  }

  /** A run-scoped node, such as a materialization run: {@code materialization_run:<run id>}. */
  public static LineageId run(String kind, String runId) {
    return new LineageId(kind, runId, "");
  }

  /**
   * Reads an id back from its text form. The version is what follows the last {@code @}, when that
   * holds no {@code /} or {@code :} (so a URI with a user part keeps its {@code @}).
   */
  public static LineageId parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a lineage id: expected kind:name[@version]");
    }
    String rest = text.substring(colon + 1);
    int at = rest.lastIndexOf('@');
    if (at >= 0 && rest.indexOf('/', at) < 0 && rest.indexOf(':', at) < 0) {
      return new LineageId(text.substring(0, colon), rest.substring(0, at), rest.substring(at + 1));
    }
    return new LineageId(text.substring(0, colon), rest, "");
  }

  /** The same node without a version: the table as a whole, the object across its versions. */
  public LineageId unversioned() {
    return new LineageId(kind, name, "");
  }

  public boolean hasVersion() {
    return !version.isEmpty();
  }

  @Override
  public String toString() {
    return kind + ":" + name + (version.isEmpty() ? "" : "@" + version);
  }
}
