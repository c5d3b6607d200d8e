package dev.strata.server;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served-feature log as files on the server's disk. Files are written as {@code
 * served-<start>-<instance>-<seq>.jsonl.open} under a lock and renamed to {@code .jsonl} once
 * closed: rolled at a size or an age, and at shutdown. A reader takes only {@code .jsonl} files,
 * which never change again. At start, an {@code .open} file that no process holds locked (left by a
 * server that died) is cut after its last complete line and closed. A file that cannot be written
 * is left as it is (closed at the next start) and logging goes on in a new one.
 */
final class FileLogSink extends LogSink {
  private static final Logger LOG = LoggerFactory.getLogger(FileLogSink.class);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final long maxFileBytes;
  private final Duration maxFileAge;
  private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong closedFiles = new AtomicLong();

  private Path current;
  private FileChannel channel;
  private FileLock lock;
  private OutputStream out;
  private long fileBytes;
  private long openedNanos;
  private int sequence;

  FileLogSink(Path dir, long maxFileBytes, Duration maxFileAge) {
    this.dir = dir;
    this.maxFileBytes = maxFileBytes;
    this.maxFileAge = maxFileAge;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "strata.feature-log.dir " + dir + " cannot be created: " + e.getMessage(), e);
    }
    recoverOrphans(dir);
  }

  @Override
  void write(String requestId, byte[] line) throws IOException {
    try {
      if (out == null) {
        open();
      }
      out.write(line);
    } catch (IOException e) {
      failed.incrementAndGet();
      abandon(e);
      throw e;
    }
    fileBytes += line.length;
    logged.incrementAndGet();
    if (fileBytes >= maxFileBytes) {
      roll();
    }
  }

  @Override
  void flush() throws IOException {
    if (out == null) {
      return;
    }
    try {
      out.flush(); // what was served is on disk within a batch interval
      if (System.nanoTime() - openedNanos >= maxFileAge.toNanos()) {
        roll();
      }
    } catch (IOException e) {
      abandon(e);
      throw e;
    }
  }

  /** Files closed so far. */
  long closedFiles() {
    return closedFiles.get();
  }

  @Override
  public void close() throws IOException {
    roll();
  }

  private void open() throws IOException {
    sequence++;
    current =
        dir.resolve(
            "served-"
                + STAMP.format(Instant.now())
                + "-"
                + instance
                + "-"
                + String.format("%06d", sequence)
                + FeatureLog.OPEN);
    channel =
        FileChannel.open(
            current,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
    lock = channel.lock();
    out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
    fileBytes = 0;
    openedNanos = System.nanoTime();
  }

  /** Closes the current file (if any) and renames it to its closed name. */
  private void roll() throws IOException {
    if (out == null) {
      return;
    }
    out.flush();
    lock.release();
    out.close(); // closes the channel too
    Path done = closedName(current);
    Files.move(current, done, StandardCopyOption.ATOMIC_MOVE);
    closedFiles.incrementAndGet();
    out = null;
    current = null;
  }

  /** After a write failed: drops the open file's handle; what it holds is closed at next start. */
  private void abandon(IOException e) {
    LOG.error("served-feature log: {} failed: {}; logging goes on in a new file", current, e);
    try {
      if (channel != null) {
        channel.close();
      }
    } catch (IOException ignored) {
      // the channel is gone either way
    }
    out = null;
    current = null;
  }

  private static Path closedName(Path open) {
    String name = open.getFileName().toString();
    return open.resolveSibling(
        name.substring(0, name.length() - FeatureLog.OPEN.length()) + FeatureLog.CLOSED);
  }

  /**
   * Closes the {@code .open} files that no process holds: their server died. Each is cut after its
   * last complete line, so a reader never sees half a request.
   */
  static void recoverOrphans(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + FeatureLog.OPEN)) {
      for (Path f : files) {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw");
            FileLock held = tryLock(raf.getChannel())) {
          if (held == null) {
            continue; // a running server writes it
          }
          long end = raf.length();
          while (end > 0) {
            raf.seek(end - 1);
            if (raf.read() == '\n') {
              break;
            }
            end--;
          }
          raf.setLength(end);
        }
        Files.move(f, closedName(f), StandardCopyOption.ATOMIC_MOVE);
        LOG.warn("served-feature log: closed {}, left open by a server that stopped", f);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "strata.feature-log.dir " + dir + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static FileLock tryLock(FileChannel c) throws IOException {
    try {
      return c.tryLock();
    } catch (OverlappingFileLockException e) {
      return null; // this JVM writes it
    }
  }
}
