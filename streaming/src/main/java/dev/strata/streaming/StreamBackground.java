package dev.strata.streaming;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;

/** A view's stream running on a thread of its own ({@link FeatureStream#start}). */
public final class StreamBackground {
  private final SparkSession spark;
  private final String prefix;
  private final Thread thread;
  private final AtomicReference<FeatureStream.Result> result = new AtomicReference<>();
  private final AtomicReference<Throwable> failed = new AtomicReference<>();

  StreamBackground(SparkSession spark, String view, Supplier<FeatureStream.Result> run) {
    this.spark = spark;
    this.prefix = "strata_stream_" + view + "_v";
    this.thread =
        new Thread(
            () -> {
              try {
                result.set(run.get());
              } catch (Throwable t) {
                failed.compareAndSet(null, t);
              }
            },
            "strata-stream-" + view);
    thread.start();
  }

  /**
   * Waits until the stream's query runs and waits for data (its first trigger done), at most {@code
   * timeout}; false when it did not within it, or failed. A producer started after it finds its
   * events read in micro-batches as they come, not all in the query's first one.
   */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && thread.isAlive()) {
      for (StreamingQuery q : spark.streams().active()) {
        if (q.name() != null
            && q.name().startsWith(prefix)
            && (q.lastProgress() != null || q.status().message().startsWith("Waiting"))) {
          return true;
        }
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Why the stream failed, once it has. */
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failed.get());
  }

  /**
   * Stops the stream (also while its query is still starting) and returns what its run did; a
   * stream that failed throws why.
   */
  public FeatureStream.Result stop() throws InterruptedException {
    while (thread.isAlive()) {
      for (StreamingQuery q : spark.streams().active()) {
        if (q.name() != null && q.name().startsWith(prefix)) {
          FeatureStream.stop(q);
        }
      }
      thread.join(500);
    }
    if (failed.get() != null) {
      throw new IllegalStateException(
          "the stream failed: " + FeatureStream.rootMessage(failed.get()), failed.get());
    }
    return result.get();
  }
}
