package dev.strata.server;

import java.io.IOException;

/**
 * Where the served-feature log's writer puts each request's line: a directory of files ({@link
 * FileLogSink}) or a Kafka topic ({@link KafkaLogSink}). Only the writer thread calls it.
 */
interface LogSink extends AutoCloseable {
  /** Takes one request's line (JSON, newline included); a failure drops the line. */
  void write(String requestId, byte[] line) throws IOException;

  /** The end of a batch: what was taken is on its way (on disk, or sent). */
  void flush() throws IOException;

  /** Lines this sink wrote (a file) or had acknowledged (Kafka). */
  long logged();

  /** Lines this sink took but could not write. */
  long failed();

  /** Writes what it holds and releases what it uses. */
  @Override
  void close() throws IOException;
}
