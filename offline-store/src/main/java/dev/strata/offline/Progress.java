package dev.strata.offline;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * What a long job is doing, for the person who started it: the phase, the tasks of the running
 * stages done out of their total, the rows read and written so far, and the time since the start.
 * On a terminal it is one line, rewritten in place at most a few times a second; otherwise (a log
 * file, CI) it is a plain line per phase and per finished stage that took a while.
 *
 * <p>Jobs name their phases with {@link #phase}, which is also the Spark job description (the Spark
 * UI shows it); a library can call it whether or not anyone watches.
 *
 * <pre>{@code
 * try (Progress p = Progress.start(spark, "backfill origin_delays", System.err, Progress.terminal())) {
 *   store.backfill(...);   // calls Progress.phase(spark, "compute and write")
 * }
 * }</pre>
 */
public final class Progress implements AutoCloseable {
  private static final Map<SparkContext, Progress> OPEN = new ConcurrentHashMap<>();
  private static final long REFRESH_NANOS = 250_000_000L;
  private static final long SLOW_STAGE_MILLIS = 2_000;

  private final SparkContext context;
  private final String job;
  private final PrintStream out;
  private final boolean terminal;
  private final long startNanos = System.nanoTime();
  private final Listener listener = new Listener();
  private final Map<Integer, int[]> stages = new ConcurrentHashMap<>(); // id -> {done, total}
  private final AtomicLong rowsRead = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile String phase = "starting";
  private boolean closed;
  private long lastRender;
  private int lastWidth;

  private Progress(SparkContext context, String job, PrintStream out, boolean terminal) {
    this.context = context;
    this.job = job;
    this.out = out;
    this.terminal = terminal;
  }

  /** Whether the standard error stream is a terminal (where one rewritten line makes sense). */
  public static boolean terminal() {
    return System.console() != null
        && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM"));
  }

  /** Starts reporting the Spark work of {@code job} to {@code out} until {@link #close}. */
  public static Progress start(SparkSession spark, String job, PrintStream out, boolean terminal) {
    Progress p = new Progress(spark.sparkContext(), job, out, terminal);
    Progress before = OPEN.put(p.context, p);
    if (before != null) {
      before.detach();
    }
    p.context.addSparkListener(p.listener);
    return p;
  }

  /**
   * Names what the session's next Spark jobs do (their description, as the Spark UI shows it), and
   * reports it where a {@link Progress} is open on the session.
   */
  public static void phase(SparkSession spark, String name) {
    spark.sparkContext().setJobDescription(name);
    Progress p = OPEN.get(spark.sparkContext());
    if (p != null) {
      p.enter(name);
    }
  }

  private synchronized void enter(String name) {
    if (closed) {
      return;
    }
    phase = name;
    if (terminal) {
      render(true);
    } else {
      out.println(prefix() + name);
      out.flush();
    }
  }

  private String prefix() {
    return String.format(Locale.ROOT, "[%s %5.1fs] ", job, seconds());
  }

  private double seconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** The line as it would be shown now. */
  String status() {
    StringBuilder s = new StringBuilder(prefix()).append(phase);
    int done = 0;
    int total = 0;
    for (int[] st : stages.values()) {
      done += st[0];
      total += st[1];
    }
    if (total > 0) {
      s.append(": tasks ").append(done).append('/').append(total);
    }
    return s.append(rows()).toString();
  }

  /** The rows read and written so far, where there are any. */
  private String rows() {
    StringBuilder s = new StringBuilder();
    if (rowsRead.get() > 0) {
      s.append(", ").append(count(rowsRead.get())).append(" rows read");
    }
    if (rowsWritten.get() > 0) {
      s.append(", ").append(count(rowsWritten.get())).append(" written");
    }
    return s.toString();
  }

  private static String count(long n) {
    return n >= 10_000_000
        ? String.format(Locale.ROOT, "%.1fM", n / 1e6)
        : String.format(Locale.ROOT, "%,d", n);
  }

  /** On a terminal: rewrites the line, at most every 250 ms unless {@code force}. */
  private synchronized void render(boolean force) {
    if (closed) {
      return; // a listener event that arrived after the end
    }
    long now = System.nanoTime();
    if (!force && now - lastRender < REFRESH_NANOS) {
      return;
    }
    lastRender = now;
    String line = status();
    int pad = Math.max(0, lastWidth - line.length());
    out.print("\r" + line + " ".repeat(pad));
    out.flush();
    lastWidth = line.length();
  }

  private synchronized void stageDone(int id, long millis) {
    int[] st = stages.remove(id);
    if (closed) {
      return;
    }
    if (!terminal && millis >= SLOW_STAGE_MILLIS && st != null) {
      out.println(
          prefix()
              + phase
              + ": "
              + st[1]
              + " tasks in "
              + String.format(Locale.ROOT, "%.1f", millis / 1e3)
              + " s"
              + rows());
      out.flush();
    } else if (terminal) {
      render(false);
    }
  }

  private void detach() {
    context.removeSparkListener(listener);
  }

  /** Ends the report with a line that says how long the job took. */
  @Override
  public void close() {
    end(true);
  }

  /**
   * Ends the report; a job that failed gets no "done" line (its error says what happened), and on a
   * terminal its progress line is cleared.
   */
  public synchronized void end(boolean succeeded) {
    if (closed) {
      return;
    }
    closed = true;
    OPEN.remove(context, this);
    detach();
    if (succeeded) {
      String line = prefix() + "done";
      if (terminal) {
        int pad = Math.max(0, lastWidth - line.length());
        out.println("\r" + line + " ".repeat(pad));
      } else {
        out.println(line);
      }
    } else if (terminal && lastWidth > 0) {
      out.print("\r" + " ".repeat(lastWidth) + "\r");
    }
    out.flush();
  }

  private final class Listener extends SparkListener {
    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted e) {
      stages.put(e.stageInfo().stageId(), new int[] {0, e.stageInfo().numTasks()});
      if (terminal) {
        render(false);
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
      int[] st = stages.get(e.stageId());
      if (st != null) {
        st[0]++;
      }
      if (e.taskMetrics() != null) {
        rowsRead.addAndGet(e.taskMetrics().inputMetrics().recordsRead());
        rowsWritten.addAndGet(e.taskMetrics().outputMetrics().recordsWritten());
      }
      if (terminal) {
        render(false);
      }
    }

    @Override
    public void onStageCompleted(SparkListenerStageCompleted e) {
      long millis =
          e.stageInfo().completionTime().isDefined() && e.stageInfo().submissionTime().isDefined()
              ? (Long) e.stageInfo().completionTime().get()
                  - (Long) e.stageInfo().submissionTime().get()
              : 0;
      stageDone(e.stageInfo().stageId(), millis);
    }
  }
}
