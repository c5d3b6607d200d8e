package dev.strata.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * How far a feature view version has been materialized into one online store: the end of its newest
 * completed materialization there. Incremental runs start from it; it only moves forward.
 *
 * @param onlineStore the store's identity (a Redis endpoint without its password)
 * @param runId the run that moved it last
 */
public record Watermark(
    String view, int viewVersion, String onlineStore, Instant end, String runId, Instant recordedAt)
    implements CatalogEntry {
  public Watermark {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(recordedAt, "recordedAt");
  }
}
