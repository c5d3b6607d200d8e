package dev.strata.registry;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The life of one job run in the registry: recorded as RUNNING, then COMPLETED or FAILED with its
 * message, whatever the job throws (Spark's checked exceptions, errors, anything). While it runs,
 * it renews a lease: the run carries its host and process id and a heartbeat time, renewed every
 * {@link #HEARTBEAT}. A run whose process was killed cannot record its end, so the next run of the
 * same job marks it ABANDONED: at once when it ran on this host and its process is gone, or once
 * its heartbeat is older than {@link #LEASE}.
 *
 * <pre>{@code
 * BackfillResult r = RunTracker.run(registry, RunRecord.started("strata.backfill", inputs, props), run -> {
 *   String snapshot = write(...);
 *   return new BackfillResult(..., run.complete(List.of(tableNode)));
 * });
 * }</pre>
 */
public final class RunTracker {
  public static final Duration HEARTBEAT = Duration.ofSeconds(30);
  public static final Duration LEASE = Duration.ofMinutes(5);
  static final String HOST = "host";
  static final String PID = "pid";
  static final String HEARTBEAT_AT = "heartbeat_at";
  private static final int MAX_ERROR = 4000;

  private static final ScheduledExecutorService BEATS =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "strata-run-heartbeat");
            t.setDaemon(true);
            return t;
          });

  /** The body of a run; it ends the run with {@link RunTracker#complete(List)}. */
  @FunctionalInterface
  public interface Body<T> {
    T run(RunTracker run) throws Exception;
  }

  private final RegistryStore registry;
  private RunRecord current;
  private ScheduledFuture<?> beat;

  private RunTracker(RegistryStore registry, RunRecord run) {
    this.registry = registry;
    this.current = run;
  }

  /**
   * Records {@code started}, runs {@code body}, and records the end: FAILED with the message of
   * anything {@code body} throws (which is rethrown as it was), FAILED too if {@code body} returns
   * without completing the run.
   */
  public static <T> T run(RegistryStore registry, RunRecord started, Body<T> body) {
    RunTracker t = start(registry, started);
    try {
      T result = body.run(t);
      t.failIfRunning("the job returned without completing its run");
      return result;
    } catch (Throwable e) {
      t.fail(e);
      throw RunTracker.<RuntimeException>sneaky(e);
    } finally {
      t.stopBeating();
    }
  }

  /**
   * Marks the job's dead runs abandoned, records {@code started} with a lease, and starts renewing
   * it.
   */
  static RunTracker start(RegistryStore registry, RunRecord started) {
    markAbandoned(registry, started.job(), Instant.now());
    RunRecord run =
        started
            .with(HOST, host())
            .with(PID, Long.toString(ProcessHandle.current().pid()))
            .with(HEARTBEAT_AT, Instant.now().toString());
    registry.recordRun(run);
    RunTracker t = new RunTracker(registry, run);
    long every = HEARTBEAT.toMillis();
    t.beat = BEATS.scheduleAtFixedRate(t::renew, every, every, TimeUnit.MILLISECONDS);
    return t;
  }

  /** The run as last recorded. */
  public synchronized RunRecord record() {
    return current;
  }

  /**
   * Records the run as completed with its outputs (lineage node ids) and what it leaves in the
   * catalog, in one transaction.
   */
  public synchronized RunRecord complete(List<LineageId> outputs, CatalogEntry... entries) {
    RunRecord done = current.completed(outputs);
    registry.completeRun(done, List.of(entries));
    current = done;
    return current;
  }

  /**
   * Records what a long run has done so far (a stream's batch, offsets and counts) in its
   * properties; a registry that is away misses this update, not the run.
   */
  public synchronized void progress(Map<String, String> properties) {
    if (current.status() != RunRecord.Status.RUNNING) {
      return;
    }
    RunRecord next = current;
    for (Map.Entry<String, String> p : properties.entrySet()) {
      next = next.with(p.getKey(), p.getValue());
    }
    current = next;
    try {
      registry.recordRun(current);
    } catch (RuntimeException e) {
      // the next progress or heartbeat records it
    }
  }

  private synchronized void fail(Throwable e) {
    if (current.status() == RunRecord.Status.RUNNING) {
      String message = e.getMessage() == null ? e.toString() : e.getMessage();
      failIfRunning(
          message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) + "..." : message);
    }
  }

  private synchronized void failIfRunning(String reason) {
    if (current.status() == RunRecord.Status.RUNNING) {
      current = current.failed(reason);
      try {
        registry.recordRun(current);
      } catch (RuntimeException recordFailed) {
        // the registry is away too: the run stays RUNNING there, and its lease runs out
      }
    }
  }

  private synchronized void renew() {
    if (current.status() == RunRecord.Status.RUNNING) {
      try {
        current = current.with(HEARTBEAT_AT, Instant.now().toString());
        registry.recordRun(current);
      } catch (RuntimeException e) {
        // a missed heartbeat; the next one may get through before the lease runs out
      }
    }
  }

  private void stopBeating() {
    if (beat != null) {
      beat.cancel(false);
    }
  }

  /**
   * Marks the RUNNING runs of {@code job} whose process is gone as ABANDONED: on this host when
   * their process id is no longer alive, anywhere once their heartbeat (or, for runs recorded
   * before leases, their start) is older than {@link #LEASE}.
   *
   * @return the runs marked
   */
  public static List<RunRecord> markAbandoned(RegistryStore registry, JobKind job, Instant now) {
    String host = host();
    List<RunRecord> marked = new java.util.ArrayList<>();
    for (RunRecord r : registry.runs(RunQuery.job(job).withStatus(RunRecord.Status.RUNNING))) {
      String reason = null;
      Map<String, String> p = r.properties();
      if (host.equals(p.get(HOST)) && p.get(PID) != null && !alive(p.get(PID))) {
        reason = "abandoned: its process " + p.get(PID) + " on " + host + " is gone";
      } else {
        Instant last =
            p.get(HEARTBEAT_AT) == null ? r.startedAt() : Instant.parse(p.get(HEARTBEAT_AT));
        if (last.plus(LEASE).isBefore(now)) {
          reason = "abandoned: no heartbeat since " + last;
        }
      }
      if (reason != null) {
        RunRecord a = r.abandoned(reason);
        registry.recordRun(a);
        marked.add(a);
      }
    }
    return marked;
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return true; // not ours to judge
    }
  }

  /** The host name runs record as theirs (their lease names it). */
  public static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return ManagementFactory.getRuntimeMXBean().getName();
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
