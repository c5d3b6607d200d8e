package dev.strata.registry;

import java.util.Objects;

/**
 * What kind of job a run is, by its stable name ({@code strata.backfill}, ...): the constants are
 * Strata's own jobs; a registry written by a newer Strata may hold others, which read back as kinds
 * of their own.
 */
public record JobKind(String id) {
  public static final JobKind APPLY = new JobKind("strata.apply");
  public static final JobKind BACKFILL = new JobKind("strata.backfill");
  public static final JobKind HISTORICAL = new JobKind("strata.historical");
  public static final JobKind MATERIALIZE = new JobKind("strata.materialize");
  public static final JobKind TRAINING_SET = new JobKind("strata.training_set");
  public static final JobKind TRAIN = new JobKind("strata.train");
  public static final JobKind SCORE = new JobKind("strata.score");
  public static final JobKind STREAM = new JobKind("strata.stream");

  public JobKind {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a job kind needs a name");
    }
  }

  @Override
  public String toString() {
    return id;
  }
}
