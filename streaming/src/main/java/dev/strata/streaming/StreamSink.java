package dev.strata.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.timestamp_micros;

import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.TableLocation;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.StreamSweep;
import dev.strata.offline.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The sink: per micro-batch, Redis first (newest row per key), then the offline table and the dead
 * letters.
 */
final class StreamSink implements VoidFunction2<Dataset<Row>, Long> {
  private static final long serialVersionUID = 1L;
  private static final Pattern QUERY_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  private final transient SparkSession spark;
  private final transient StreamSweep sweep;
  private final transient FeatureView view;
  private final int version;
  private final transient TableLocation table;
  private final transient TableLocation dead;
  private final String redisUrl;
  private final String checkpoint;
  private String writer;
  private transient Tables.Once tableAppends;
  private transient Tables.Once deadAppends;
  final AtomicLong batches = new AtomicLong();
  final AtomicLong rows = new AtomicLong();
  final AtomicLong letters = new AtomicLong();

  StreamSink(
      SparkSession spark,
      StreamSweep sweep,
      FeatureView view,
      int version,
      TableLocation table,
      TableLocation dead,
      String redisUrl,
      String checkpoint) {
    this.spark = spark;
    this.sweep = sweep;
    this.view = view;
    this.version = version;
    this.table = table;
    this.dead = dead;
    this.redisUrl = redisUrl;
    this.checkpoint = checkpoint;
  }

  @Override
  public void call(Dataset<Row> batch, Long id) throws Exception {
    String writer = writer();
    if (tableAppends == null) {
      tableAppends = new Tables.Once(table, OfflineStore.DATE_COLUMN, writer);
      deadAppends = new Tables.Once(dead, "dead_date", writer);
    }
    long started = System.nanoTime();
    batch.persist();
    try {
      Dataset<Row> points =
          batch
              .filter(col(FeatureStream.KIND).equalTo(KeyStep.POINT))
              .select(sweep.offlineColumns());
      Dataset<Row> letters =
          batch
              .filter(col(FeatureStream.KIND).equalTo(KeyStep.DEAD))
              .select(
                  lit(view.name()).as("view"),
                  col(FeatureStream.REASON),
                  col(FeatureStream.VALUE),
                  col(FeatureStream.TOPIC),
                  col(FeatureStream.PARTITION),
                  col(FeatureStream.OFFSET),
                  col(FeatureStream.KAFKA_TIME),
                  timestamp_micros(col(FeatureStream.EVENT_MICROS))
                      .as(OfflineStore.EVENT_TIMESTAMP),
                  lit(id).as("batch_id"),
                  org.apache
                      .spark
                      .sql
                      .functions
                      .to_date(col(FeatureStream.KAFKA_TIME))
                      .as("dead_date"));
      long pointCount = 0;
      long letterCount = 0;
      // one job counts both kinds (the batch is cached: the writes below read it again)
      for (Row kind : batch.groupBy(FeatureStream.KIND).count().collectAsList()) {
        if (kind.getInt(0) == KeyStep.POINT) {
          pointCount = kind.getLong(1);
        } else {
          letterCount = kind.getLong(1);
        }
      }
      long computed = System.nanoTime();
      // Redis first: what is final is servable at once, before the commits' latency. A crash
      // after it replays the batch, which writes the same values again (never older ones) and
      // makes the commits this one did not.
      if (pointCount > 0) {
        writeOnline(points, id);
      }
      long online = System.nanoTime();
      if (pointCount > 0) {
        tableAppends.append(spark, points, id);
      }
      if (letterCount > 0) {
        deadAppends.append(spark, letters, id);
      }
      long committed = System.nanoTime();
      batches.incrementAndGet();
      rows.addAndGet(pointCount);
      this.letters.addAndGet(letterCount);
      FeatureStream.LOG.info(
          "stream of '{}' v{}: batch {}: {} rows, {} dead letters in {} ms (state {} ms, Redis"
              + " {} ms, tables {} ms)",
          view.name(),
          version,
          id,
          pointCount,
          letterCount,
          (committed - started) / 1_000_000,
          (computed - started) / 1_000_000,
          (online - computed) / 1_000_000,
          (committed - online) / 1_000_000);
    } finally {
      batch.unpersist();
    }
  }

  /** The newest row per key into Redis; while Redis is away, the batch waits and retries. */
  private void writeOnline(Dataset<Row> points, long id) throws Exception {
    List<Column> select = new ArrayList<>();
    for (JoinKey k : view.joinKeys()) {
      select.add(col(k.name()));
    }
    select.add(col(sweep.offlineTimeColumn()));
    view.features().forEach(f -> select.add(col(f.name())));
    Dataset<Row> online = points.select(select.toArray(Column[]::new));
    long wait = 500;
    while (true) {
      try {
        Materializer.write(spark, online, redisUrl, view, version);
        return;
      } catch (Exception e) { // Spark rethrows a task's failure as a checked SparkException
        if (!redisDown(e)) {
          throw e;
        }
        FeatureStream.LOG.warn(
            "stream of '{}': batch {} cannot reach Redis ({}); retrying in {} ms",
            view.name(),
            id,
            FeatureStream.rootMessage(e),
            wait);
        Thread.sleep(wait);
        wait = Math.min(wait * 2, 10_000);
      }
    }
  }

  private static boolean redisDown(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof redis.clients.jedis.exceptions.JedisConnectionException
          || t instanceof dev.strata.errors.UnavailableException) {
        return true;
      }
      String m = String.valueOf(t.getMessage());
      if (m.contains("JedisConnectionException") || m.contains("Failed to connect to any host")) {
        return true;
      }
    }
    return false;
  }

  /**
   * This stream's writer id for idempotent commits: the view version and the query's id, which its
   * checkpoint keeps (a new checkpoint is a new writer, whose batch ids start again at 0).
   */
  private String writer() throws IOException {
    if (writer == null) {
      Path meta = new Path(checkpoint, "metadata");
      FileSystem fs = meta.getFileSystem(spark.sparkContext().hadoopConfiguration());
      String text;
      try (InputStream in = fs.open(meta)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Matcher m = QUERY_ID.matcher(text);
      if (!m.find()) {
        throw new IllegalStateException("no query id in " + meta + ": " + text);
      }
      writer = "strata.stream:" + view.name() + "_v" + version + ":" + m.group(1);
    }
    return writer;
  }
}
