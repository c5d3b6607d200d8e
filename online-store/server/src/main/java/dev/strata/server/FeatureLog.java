package dev.strata.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.server.FeatureResolver.ViewRead;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served-feature log: the feature vectors the server answered, one JSON line per logged
 * request, for skew and drift checks offline ({@code strata logs load}, {@code strata skew}).
 *
 * <p>A sampled request hands its answer to a bounded queue; one daemon thread turns what arrived
 * into JSON lines and writes them every few milliseconds, so a request never waits for the disk and
 * never wakes a thread. When the queue is full (the disk cannot keep up) an entry is dropped and
 * counted, never queued without bound. Files are written as {@code
 * served-<start>-<instance>-<seq>.jsonl.open} under a lock and renamed to {@code .jsonl} once
 * closed: rolled at a size or an age, and at shutdown. A reader takes only {@code .jsonl} files,
 * which never change again. At start, an {@code .open} file that no process holds locked (left by a
 * server that died) is cut after its last complete line and closed.
 *
 * <p>A line: {@code {"request_id", "request_micros", "as_of_micros", "feature_service" (or null),
 * "entities": {column: [values]}, "views": [{"view", "version", "features": [names], "rows":
 * [{"status", "event_micros", "values": [...]}]}]}}; values as the REST answer writes them.
 */
public final class FeatureLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureLog.class);

  /** The suffix of a closed file: complete and never written again. */
  public static final String CLOSED = ".jsonl";

  /** The suffix of the file being written. */
  public static final String OPEN = ".jsonl.open";

  /**
   * How long the writer sleeps after a batch: short, so that each batch is small and its work never
   * takes a core from requests for long (20 ms batches cost p99 1.17x to 1.25x of the log off, 2 ms
   * ones 1.09x to 1.13x in {@code benchmarks/run.sh feature-log}); an idle writer backs off to
   * {@link #IDLE_INTERVAL_MILLIS}.
   */
  static final long BATCH_INTERVAL_MILLIS = 2;

  /** The longest sleep of an idle writer. */
  static final long IDLE_INTERVAL_MILLIS = 50;

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /**
   * @param dir where the files go; none: nothing is logged
   * @param sampleRate the share of requests logged, 0 to 1
   * @param maxFileBytes a file is closed once it holds this many bytes
   * @param maxFileAge a file is closed once it is this old (if it holds anything)
   * @param queueCapacity requests waiting to be written at most; more are dropped
   */
  public record Settings(
      Path dir, double sampleRate, long maxFileBytes, Duration maxFileAge, int queueCapacity) {
    public static final Settings OFF = new Settings(null, 0, 1, Duration.ofMinutes(1), 1);

    public Settings {
      if (!(sampleRate >= 0 && sampleRate <= 1)) {
        throw new IllegalArgumentException(
            "strata.feature-log.sample-rate must lie in [0, 1], got " + sampleRate);
      }
      if (maxFileBytes < 1 || queueCapacity < 1 || maxFileAge.isNegative() || maxFileAge.isZero()) {
        throw new IllegalArgumentException(
            "strata.feature-log.max-file-bytes, max-file-age and queue-capacity must be positive");
      }
    }

    boolean on() {
      return dir != null && sampleRate > 0;
    }
  }

  /** What a request hands over: its parsed request and the values it answered. */
  record Entry(
      String requestId,
      long requestMicros,
      long asOfMicros,
      String service,
      Map<String, JsonNode> entities,
      List<ViewRead> views,
      List<List<OnlineValue>> values) {}

  private final Settings settings;
  private final ArrayBlockingQueue<Entry> queue;
  private final Thread writer;
  private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong logged = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong closedFiles = new AtomicLong();
  private final JsonFactory json = new JsonFactory();
  private volatile boolean running = true;

  // the writer thread's own state
  private Path current;
  private FileChannel channel;
  private FileLock lock;
  private OutputStream out;
  private long fileBytes;
  private long openedNanos;
  private int sequence;

  public FeatureLog(Settings settings) {
    this.settings = settings;
    if (!settings.on()) {
      this.queue = null;
      this.writer = null;
      return;
    }
    try {
      Files.createDirectories(settings.dir());
    } catch (IOException e) {
      throw new IllegalStateException(
          "strata.feature-log.dir " + settings.dir() + " cannot be created: " + e.getMessage(), e);
    }
    recoverOrphans(settings.dir());
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.writer = new Thread(this::drain, "strata-feature-log");
    writer.setDaemon(true);
    writer.start();
  }

  /** Whether this request is to be logged: the log is on and the sample says so. */
  boolean sampled() {
    return queue != null
        && (settings.sampleRate() >= 1
            || ThreadLocalRandom.current().nextDouble() < settings.sampleRate());
  }

  /**
   * A new request id: 128 random bits as a UUID's text, from the thread's own generator (unique,
   * not secret; {@code UUID.randomUUID()} would share one locked SecureRandom among requests).
   */
  static String newRequestId() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return new java.util.UUID(r.nextLong(), r.nextLong()).toString();
  }

  /**
   * Hands an entry to the writer without waiting; a full queue drops it (counted). The writer
   * builds the line: built here, on the request's thread, it did not cost less p99.
   */
  void offer(Entry e) {
    if (!queue.offer(e)) {
      dropped.incrementAndGet();
    }
  }

  /** Requests written to a file so far. */
  public long logged() {
    return logged.get();
  }

  /** Requests sampled but not written: the queue was full or the disk failed. */
  public long dropped() {
    return dropped.get();
  }

  /** Files closed so far. */
  public long closedFiles() {
    return closedFiles.get();
  }

  /** Writes what is queued, closes the file, and stops the writer. */
  @Override
  public void close() {
    if (writer == null) {
      return;
    }
    running = false;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The writer's loop: it sleeps between batches instead of waiting on the queue, so that a
   * request's offer never wakes a thread (on 2 cores a wake-up per request cost more p99 than the
   * writing itself); each batch is what arrived while it slept, written and flushed at once.
   */
  private void drain() {
    List<Entry> batch = new ArrayList<>();
    long sleep = BATCH_INTERVAL_MILLIS;
    boolean last = false;
    while (!last) {
      last = !running;
      queue.drainTo(batch);
      sleep = batch.isEmpty() ? Math.min(IDLE_INTERVAL_MILLIS, sleep * 2) : BATCH_INTERVAL_MILLIS;
      for (Entry e : batch) {
        byte[] line;
        try {
          line = line(e);
        } catch (IOException | RuntimeException ex) {
          dropped.incrementAndGet();
          LOG.warn("served-feature log: request {} not logged: {}", e.requestId(), ex.toString());
          continue;
        }
        try {
          write(line);
        } catch (IOException ex) {
          dropped.incrementAndGet();
          failed(ex);
        }
      }
      batch.clear();
      try {
        if (out != null) {
          out.flush(); // what was served is on disk within a batch interval
          if (System.nanoTime() - openedNanos >= settings.maxFileAge().toNanos()) {
            roll();
          }
        }
      } catch (IOException ex) {
        failed(ex);
      }
      if (!last) {
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException ex) {
          running = false;
        }
      }
    }
    try {
      roll();
    } catch (IOException e) {
      LOG.error("served-feature log: cannot close {}: {}", current, e.toString());
    }
  }

  /** The file cannot be written: left as it is (closed at the next start), a new one comes next. */
  private void failed(IOException e) {
    LOG.error("served-feature log: {} failed: {}; logging goes on in a new file", current, e);
    abandon();
  }

  /** One entry as its line, newline included. */
  private byte[] line(Entry e) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (JsonGenerator out = json.createGenerator(bytes, JsonEncoding.UTF8)) {
      out.writeStartObject();
      out.writeStringField("request_id", e.requestId());
      out.writeNumberField("request_micros", e.requestMicros());
      out.writeNumberField("as_of_micros", e.asOfMicros());
      out.writeStringField("feature_service", e.service());
      out.writeObjectFieldStart("entities");
      for (Map.Entry<String, JsonNode> c : e.entities().entrySet()) {
        out.writeArrayFieldStart(c.getKey());
        for (JsonNode v : c.getValue()) {
          value(out, v);
        }
        out.writeEndArray();
      }
      out.writeEndObject();
      out.writeArrayFieldStart("views");
      for (int v = 0; v < e.views().size(); v++) {
        ViewRead read = e.views().get(v);
        out.writeStartObject();
        out.writeStringField("view", read.view().name());
        out.writeNumberField("version", read.version());
        out.writeArrayFieldStart("features");
        for (String n : read.names()) {
          out.writeString(n);
        }
        out.writeEndArray();
        out.writeArrayFieldStart("rows");
        for (OnlineValue value : e.values().get(v)) {
          out.writeStartObject();
          out.writeStringField("status", value.status().name());
          if (value.eventMicros() == null) {
            out.writeNullField("event_micros");
          } else {
            out.writeNumberField("event_micros", value.eventMicros());
          }
          out.writeArrayFieldStart("values");
          for (int p : read.positions()) {
            value(out, OnlineController.json(read.view().features().get(p), value.values()[p]));
          }
          out.writeEndArray();
          out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
      }
      out.writeEndArray();
      out.writeEndObject();
    }
    bytes.write('\n');
    return bytes.toByteArray();
  }

  private void write(byte[] line) throws IOException {
    if (out == null) {
      open();
    }
    out.write(line);
    fileBytes += line.length;
    logged.incrementAndGet();
    if (fileBytes >= settings.maxFileBytes()) {
      roll();
    }
  }

  /**
   * Writes a value node (text, number, boolean or null, as the answer holds it) itself: {@code
   * writeTree} would go through the ObjectMapper and build a serializer provider per value.
   */
  private static void value(JsonGenerator out, JsonNode v) throws IOException {
    if (v.isNull()) {
      out.writeNull(); // NullNode would ask the (absent) serializer provider
    } else {
      ((JsonSerializable) v).serialize(out, null);
    }
  }

  private void open() throws IOException {
    sequence++;
    current =
        settings
            .dir()
            .resolve(
                "served-"
                    + STAMP.format(Instant.now())
                    + "-"
                    + instance
                    + "-"
                    + String.format("%06d", sequence)
                    + OPEN);
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
  private void abandon() {
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
    return open.resolveSibling(name.substring(0, name.length() - OPEN.length()) + CLOSED);
  }

  /**
   * Closes the {@code .open} files that no process holds: their server died. Each is cut after its
   * last complete line, so a reader never sees half a request.
   */
  static void recoverOrphans(Path dir) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + OPEN)) {
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
