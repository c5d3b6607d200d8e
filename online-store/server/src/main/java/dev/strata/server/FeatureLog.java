package dev.strata.server;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.server.FeatureResolver.ViewRead;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * into JSON lines and hands them to the log's sinks every few milliseconds, so a request never
 * waits for the disk or the network and never wakes a thread. When the queue is full (a sink cannot
 * keep up) an entry is dropped and counted, never queued without bound. The sinks: files in a
 * directory ({@link FileLogSink}), a Kafka topic ({@link KafkaLogSink}), or both.
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

  /** A Kafka topic the log goes to. */
  public record KafkaTarget(String bootstrap, String topic) {
    public KafkaTarget {
      if (bootstrap == null || bootstrap.isBlank() || topic == null || topic.isBlank()) {
        throw new IllegalArgumentException(
            "strata.feature-log.kafka.bootstrap and strata.feature-log.kafka.topic are set"
                + " together");
      }
    }
  }

  /**
   * @param dir where the files go; none: no files
   * @param kafka the topic the records go to; none: no records
   * @param sampleRate the share of requests logged, 0 to 1
   * @param maxFileBytes a file is closed once it holds this many bytes
   * @param maxFileAge a file is closed once it is this old (if it holds anything)
   * @param queueCapacity requests waiting to be written at most; more are dropped
   */
  public record Settings(
      Path dir,
      KafkaTarget kafka,
      double sampleRate,
      long maxFileBytes,
      Duration maxFileAge,
      int queueCapacity) {
    public static final Settings OFF = new Settings(null, null, 0, 1, Duration.ofMinutes(1), 1);

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

    /** Files only. */
    public Settings(
        Path dir, double sampleRate, long maxFileBytes, Duration maxFileAge, int queueCapacity) {
      this(dir, null, sampleRate, maxFileBytes, maxFileAge, queueCapacity);
    }

    boolean on() {
      return (dir != null || kafka != null) && sampleRate > 0;
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
  private final FileLogSink files;
  private final List<LogSink> sinks = new ArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private final JsonFactory json = new JsonFactory();
  private volatile boolean running = true;

  public FeatureLog(Settings settings) {
    this.settings = settings;
    if (!settings.on()) {
      this.queue = null;
      this.writer = null;
      this.files = null;
      return;
    }
    this.files =
        settings.dir() == null
            ? null
            : new FileLogSink(settings.dir(), settings.maxFileBytes(), settings.maxFileAge());
    if (files != null) {
      sinks.add(files);
    }
    if (settings.kafka() != null) {
      sinks.add(new KafkaLogSink(settings.kafka().bootstrap(), settings.kafka().topic()));
    }
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

  /** Requests written so far: to a file, or acknowledged by Kafka (each sink counts). */
  public long logged() {
    return sinks.stream().mapToLong(LogSink::logged).sum();
  }

  /** Requests sampled but not written: the queue was full, or a sink failed (each counts). */
  public long dropped() {
    return dropped.get() + sinks.stream().mapToLong(LogSink::failed).sum();
  }

  /** Files closed so far. */
  public long closedFiles() {
    return files == null ? 0 : files.closedFiles();
  }

  /** Writes what is queued, closes the sinks, and stops the writer. */
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
        for (LogSink sink : sinks) {
          try {
            sink.write(e.requestId(), line);
          } catch (IOException | RuntimeException ex) {
            // the sink counted and reported it
          }
        }
      }
      batch.clear();
      for (LogSink sink : sinks) {
        try {
          sink.flush();
        } catch (IOException | RuntimeException ex) {
          // the sink reported it; it goes on with new lines
        }
      }
      if (!last) {
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException ex) {
          running = false;
        }
      }
    }
    for (LogSink sink : sinks) {
      try {
        sink.close();
      } catch (IOException | RuntimeException e) {
        LOG.error("served-feature log: cannot close {}: {}", sink, e.toString());
      }
    }
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
}
