package dev.strata.server;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the served-feature log's writer puts each request's line: a directory of files ({@link
 * FileLogSink}) or a Kafka topic ({@link KafkaLogSink}). Only the writer thread calls it; the
 * counts are read by the metrics.
 */
abstract class LogSink implements AutoCloseable {
  /** Lines this sink wrote (a file) or had acknowledged (Kafka). */
  protected final AtomicLong logged = new AtomicLong();

  /** Lines this sink took but could not write. */
  protected final AtomicLong failed = new AtomicLong();

  /** Takes one request's line (JSON, newline included); a failure drops the line. */
  abstract void write(String requestId, byte[] line) throws IOException;

  /** The end of a batch: what was taken is on its way (on disk, or sent). */
  abstract void flush() throws IOException;

  /** Writes what it holds and releases what it uses. */
  @Override
  public abstract void close() throws IOException;

  final long logged() {
    return logged.get();
  }

  final long failed() {
    return failed.get();
  }
}
