package dev.strata.registry;

import java.util.Optional;

/**
 * Which runs to list: all, or those of one job and/or status, answered by an index.
 *
 * <pre>{@code
 * registry.runs(RunQuery.job(JobKind.BACKFILL).withStatus(RunRecord.Status.RUNNING));
 * }</pre>
 */
public record RunQuery(Optional<JobKind> job, Optional<RunRecord.Status> status) {
  public static RunQuery all() {
    return new RunQuery(Optional.empty(), Optional.empty());
  }

  public static RunQuery job(JobKind job) {
    return new RunQuery(Optional.of(job), Optional.empty());
  }

  public RunQuery withStatus(RunRecord.Status s) {
    return new RunQuery(job, Optional.of(s));
  }
}
