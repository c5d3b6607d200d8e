package dev.strata.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A job that ran: an apply, a backfill, a materialization, a training run. Its inputs and outputs
 * are lineage ids; {@link OpenLineageExporter} turns it into OpenLineage events.
 */
public record RunRecord(
    String id,
    JobKind job,
    Status status,
    Instant startedAt,
    Instant endedAt,
    List<LineageId> inputs,
    List<LineageId> outputs,
    Map<String, String> properties) {

  /** Where a run stands. */
  public enum Status {
    RUNNING,
    COMPLETED,
    FAILED,
    /** Its process died or stopped reporting without recording an end ({@link RunTracker}). */
    ABANDONED
  }

  public RunRecord {
    inputs = List.copyOf(inputs);
    outputs = List.copyOf(outputs);
    properties = Collections.unmodifiableMap(new TreeMap<>(properties));
  }

  public static RunRecord started(JobKind job, List<LineageId> inputs, Map<String, String> props) {
    return new RunRecord(
        UUID.randomUUID().toString(),
        job,
        Status.RUNNING,
        Instant.now(),
        null,
        inputs,
        List.of(),
        props);
  }

  public RunRecord completed(List<LineageId> outputs) {
    return new RunRecord(
        id, job, Status.COMPLETED, startedAt, Instant.now(), inputs, outputs, properties);
  }

  public RunRecord failed(String reason) {
    Map<String, String> p = new TreeMap<>(properties);
    p.put("error", reason);
    return new RunRecord(id, job, Status.FAILED, startedAt, Instant.now(), inputs, outputs, p);
  }

  /** The same run marked abandoned: its process is gone, and it will never end by itself. */
  public RunRecord abandoned(String reason) {
    Map<String, String> p = new TreeMap<>(properties);
    p.put("error", reason);
    return new RunRecord(id, job, Status.ABANDONED, startedAt, Instant.now(), inputs, outputs, p);
  }

  /** The same run with one more (or a changed) property. */
  public RunRecord with(String key, String value) {
    Map<String, String> p = new TreeMap<>(properties);
    p.put(key, value);
    return new RunRecord(id, job, status, startedAt, endedAt, inputs, outputs, p);
  }

  public Optional<Instant> ended() {
    return Optional.ofNullable(endedAt);
  }
}
