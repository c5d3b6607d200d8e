package dev.strata.registry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs end as COMPLETED, FAILED or ABANDONED, never stay RUNNING: against the embedded registry.
 */
class RunTrackerTest {
  @TempDir Path dir;

  /** What Spark does: a checked exception thrown from code that does not declare it. */
  static final class SparkLikeException extends Exception {
    SparkLikeException(String m) {
      super(m);
    }
  }

  @Test
  void recordsEveryKindOfFailureWithItsMessage() throws Exception {
    try (JdbcRegistryStore registry = JdbcRegistryStore.open(RegistryUrls.embedded(dir))) {
      assertThatThrownBy(
              () ->
                  RunTracker.run(
                      registry,
                      RunRecord.started(new JobKind("job.a"), List.of(), Map.of()),
                      run -> {
                        throw new SparkLikeException(
                            "Job aborted due to stage failure: task 3 lost");
                      }))
          .isInstanceOf(SparkLikeException.class);
      assertThatThrownBy(
              () ->
                  RunTracker.run(
                      registry,
                      RunRecord.started(new JobKind("job.b"), List.of(), Map.of()),
                      run -> {
                        throw new OutOfMemoryError("Java heap space");
                      }))
          .isInstanceOf(OutOfMemoryError.class);
      RunTracker.run(
          registry,
          RunRecord.started(new JobKind("job.c"), List.of(), Map.of()),
          run -> "forgot to complete");
      String done =
          RunTracker.run(
              registry,
              RunRecord.started(new JobKind("job.d"), ids("table:in"), Map.of("k", "v")),
              run -> {
                run.complete(ids("table:out"));
                return "ok";
              });
      assertThat(done).isEqualTo("ok");
      Map<String, RunRecord> byJob = new java.util.HashMap<>();
      registry.runs().forEach(r -> byJob.put(r.job().id(), r));
      assertThat(byJob.get("job.a").status()).isEqualTo(RunRecord.Status.FAILED);
      assertThat(byJob.get("job.a").properties().get("error"))
          .isEqualTo("Job aborted due to stage failure: task 3 lost");
      assertThat(byJob.get("job.b").status()).isEqualTo(RunRecord.Status.FAILED);
      assertThat(byJob.get("job.b").properties().get("error")).isEqualTo("Java heap space");
      assertThat(byJob.get("job.c").status()).isEqualTo(RunRecord.Status.FAILED);
      assertThat(byJob.get("job.d").status()).isEqualTo(RunRecord.Status.COMPLETED);
      assertThat(byJob.get("job.d").outputs()).containsExactly(LineageId.parse("table:out"));
      assertThat(byJob.get("job.d").properties())
          .containsEntry("k", "v")
          .containsKeys("host", "pid", "heartbeat_at");
      assertThat(byJob.values()).allSatisfy(r -> assertThat(r.endedAt()).isNotNull());
    }
  }

  @Test
  void theNextRunMarksDeadRunsAbandonedAndLeavesLiveOnesAlone() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Instant now = Instant.now();
    String host = RunTracker.host();
    RunRecord killed =
        RunRecord.started(
            JobKind.MATERIALIZE,
            List.of(),
            Map.of("host", host, "pid", Long.toString(gone.pid()), "heartbeat_at", now.toString()));
    RunRecord silent =
        RunRecord.started(
            JobKind.MATERIALIZE,
            List.of(),
            Map.of(
                "host",
                "other-host",
                "pid",
                "1",
                "heartbeat_at",
                now.minus(RunTracker.LEASE).minusSeconds(1).toString()));
    RunRecord live =
        RunRecord.started(
            JobKind.MATERIALIZE,
            List.of(),
            Map.of(
                "host",
                host,
                "pid",
                Long.toString(ProcessHandle.current().pid()),
                "heartbeat_at",
                now.toString()));
    RunRecord elsewhere =
        RunRecord.started(
            JobKind.MATERIALIZE,
            List.of(),
            Map.of(
                "host",
                "other-host",
                "pid",
                "1",
                "heartbeat_at",
                now.minus(Duration.ofMinutes(1)).toString()));
    RunRecord otherJob =
        RunRecord.started(
            JobKind.BACKFILL, List.of(), Map.of("host", host, "pid", Long.toString(gone.pid())));
    try (JdbcRegistryStore registry = JdbcRegistryStore.open(RegistryUrls.embedded(dir))) {
      for (RunRecord r : List.of(killed, silent, live, elsewhere, otherJob)) {
        registry.recordRun(r);
      }
      RunTracker.run(
          registry,
          RunRecord.started(JobKind.MATERIALIZE, List.of(), Map.of()),
          run -> run.complete(List.of()));
      Map<String, RunRecord> byId = new java.util.HashMap<>();
      registry.runs().forEach(r -> byId.put(r.id(), r));
      assertThat(byId.get(killed.id()).status()).isEqualTo(RunRecord.Status.ABANDONED);
      assertThat(byId.get(killed.id()).properties().get("error"))
          .contains("process " + gone.pid())
          .contains("is gone");
      assertThat(byId.get(silent.id()).status()).isEqualTo(RunRecord.Status.ABANDONED);
      assertThat(byId.get(silent.id()).properties().get("error"))
          .startsWith("abandoned: no heartbeat since");
      assertThat(byId.get(live.id()).status()).isEqualTo(RunRecord.Status.RUNNING);
      assertThat(byId.get(elsewhere.id()).status()).isEqualTo(RunRecord.Status.RUNNING);
      assertThat(byId.get(otherJob.id()).status()).isEqualTo(RunRecord.Status.RUNNING);
    }
  }

  /** Lineage ids from their text forms. */
  static List<LineageId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(LineageId::parse).toList();
  }
}
