package dev.strata.registry;

import dev.strata.dsl.ObjectKind;
import java.time.Instant;

/**
 * One immutable version of a registered definition.
 *
 * @param version 1, 2, ... per kind and name
 * @param contentHash SHA-256 of the canonical JSON ({@link DefinitionCodec#contentHash})
 * @param revision the registry revision (apply) that created this version
 */
public record Registered<T>(
    ObjectKind kind,
    String name,
    int version,
    String contentHash,
    long revision,
    Instant createdAt,
    T definition) {

  /** The lineage node id of this version, e.g. {@code feature_view:origin_delays@v2}. */
  public String nodeId() {
    return LineageNode.definitionId(kind, name, version);
  }

  /** The lineage id of this version. */
  public LineageId lineageId() {
    return LineageId.definition(kind, name, version);
  }

  /**
   * The same version, typed: {@code registry.get(FEATURE_VIEW, n).map(r ->
   * r.as(FeatureView.class))}.
   *
   * @throws IllegalStateException when the definition is not a {@code type}
   */
  public <U> Registered<U> as(Class<U> type) {
    if (!type.isInstance(definition)) {
      throw new IllegalStateException(
          kind
              + " '"
              + name
              + "' v"
              + version
              + " is a "
              + definition.getClass().getSimpleName()
              + ", not a "
              + type.getSimpleName());
    }
    return new Registered<>(
        kind, name, version, contentHash, revision, createdAt, type.cast(definition));
  }

  public String shortHash() {
    return contentHash.substring(0, 12);
  }
}
