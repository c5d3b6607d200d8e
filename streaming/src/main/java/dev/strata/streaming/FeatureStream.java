package dev.strata.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.SourceFrames;
import dev.strata.offline.StreamSweep;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisEndpoint;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.GroupStateTimeout;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A view's features computed from its source's events on a Kafka topic, by Spark Structured
 * Streaming, into the online store and the view's offline table: the same values a backfill
 * computes, at the same cadence points (DESIGN.md, Streaming).
 *
 * <p>Per micro-batch: the records are parsed with the registered source's columns and mapping; a
 * record that does not parse, or lacks a key or its event time, is a dead letter. The rest go, per
 * key, through {@link StreamSweep} in Spark's state store: an event older than the event-time
 * watermark (the newest event time seen, less the lateness) is a dead letter too; the others wait
 * in the key's state until the watermark passes the points they feed. Each point that becomes final
 * is a row of the offline table. Then, in this order: the newest row of each key goes to Redis
 * (which never replaces a newer value), the rows are appended to the offline table and the dead
 * letters to the dead-letter table (each a Delta commit made once per batch: a batch replayed after
 * a crash commits nothing again). A Redis outage stalls the batch, which retries until Redis
 * answers. The run is in the registry, with its batch, offsets and counts.
 */
public final class FeatureStream {
  static final Logger LOG = LoggerFactory.getLogger(FeatureStream.class);

  public static final JobKind JOB = JobKind.STREAM;

  /** The dead-letter table's columns after the view's name. */
  public static final String REASON = "reason";

  /** What a run did when it ended. */
  public record Result(
      String view,
      int version,
      TableLocation table,
      TableLocation deadLetters,
      long batches,
      long rows,
      long deadLetterCount,
      RunRecord run) {}

  private final SparkSession spark;
  private final RegistryStore registry;
  private final Warehouse warehouse;
  private final OfflineStore offline;
  private final String redisUrl;

  public FeatureStream(
      SparkSession spark, RegistryStore registry, Warehouse warehouse, String redisUrl) {
    this.spark = spark;
    this.registry = registry;
    this.warehouse = warehouse;
    this.offline = new OfflineStore(spark, registry, warehouse);
    this.redisUrl = redisUrl;
    RedisEndpoint.parse(redisUrl); // a bad URL fails before any work
  }

  /** Where a view version's dead letters go. */
  public TableLocation deadLetters(String view, int version) {
    return TableFormat.DELTA.at(warehouse.resolve("dead_letters", "delta", view + "_v" + version));
  }

  /** The default checkpoint of a view version's stream. */
  public String defaultCheckpoint(String view, int version) {
    return warehouse.resolve("checkpoints", "stream", view + "_v" + version);
  }

  /**
   * Runs the view's stream until it is stopped, fails, or (with {@code availableNow}) has read what
   * the topic held when it started.
   */
  public Result run(String viewName, StreamOptions o) {
    Registered<FeatureView> reg = registry.requireView(viewName);
    FeatureView view = reg.definition();
    if (!view.online()) {
      throw new InvalidInputException("feature view '" + viewName + "' is offline only");
    }
    Source source = registry.source(view.source()).orElseThrow();
    KafkaBroker.requireTopic(o.bootstrap(), o.topic());
    TableLocation table = offline.location(view.name(), reg.version(), TableFormat.DELTA);
    TableLocation dead = deadLetters(view.name(), reg.version());
    String checkpoint = o.checkpoint().orElse(defaultCheckpoint(view.name(), reg.version()));
    LineageId topic = LineageId.topic(o.bootstrap(), o.topic());
    Map<String, String> props = new LinkedHashMap<>();
    props.put("view", view.name());
    props.put("version", Integer.toString(reg.version()));
    props.put("topic", o.topic());
    props.put("bootstrap", o.bootstrap());
    props.put("checkpoint", checkpoint);
    props.put("location", table.location());
    props.put("dead_letter_table", dead.location());
    props.put("lateness", o.lateness().toString());
    props.put(Materializer.ONLINE_STORE, RedisEndpoint.parse(redisUrl).identity());
    RunRecord started = RunRecord.started(JOB, List.of(topic, reg.lineageId()), props);
    return RunTracker.run(
        registry,
        started,
        run -> {
          StreamSweep sweep = StreamSweep.of(view, source);
          StreamSink batches =
              new StreamSink(spark, sweep, view, reg.version(), table, dead, redisUrl, checkpoint);
          Dataset<Row> out = query(view, source, sweep, o);
          var writer =
              out.writeStream()
                  .queryName("strata_stream_" + view.name() + "_v" + reg.version())
                  .outputMode(OutputMode.Append())
                  .option("checkpointLocation", checkpoint)
                  .foreachBatch(batches);
          if (o.availableNow()) {
            writer = writer.trigger(Trigger.AvailableNow());
          } else if (o.trigger().isPresent()) {
            writer = writer.trigger(Trigger.ProcessingTime(o.trigger().get().toMillis()));
          }
          localCheckpointWriter(checkpoint);
          StreamProgress progress = new StreamProgress(run);
          spark.streams().addListener(progress);
          StreamingQuery query;
          try {
            query = writer.start();
            progress.query = query.id();
            Thread stopper = new Thread(() -> stop(query), "strata-stream-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            try {
              query.awaitTermination();
            } finally {
              try {
                Runtime.getRuntime().removeShutdownHook(stopper);
              } catch (IllegalStateException shuttingDown) {
                // the JVM is stopping: the hook stops the query
              }
            }
          } catch (StreamingQueryException e) {
            throw new IllegalStateException(
                "stream of '" + view.name() + "' failed: " + rootMessage(e), e);
          } finally {
            spark.streams().removeListener(progress);
          }
          Optional<Snapshot> snapshot = Tables.currentSnapshot(spark, table);
          List<LineageId> outputs = new ArrayList<>();
          List<OfflineTable> entries = new ArrayList<>();
          if (snapshot.isPresent()) {
            LineageId tableId = LineageId.offlineTable(table, snapshot.get());
            registry.recordLineage(
                List.of(
                    LineageNode.of(topic, Map.of("bootstrap", o.bootstrap())),
                    LineageNode.of(
                        tableId,
                        Map.of("view", view.name(), "run", run.record().id(), "stream", "true"))),
                List.of(
                    new LineageEdge(topic, tableId), new LineageEdge(reg.lineageId(), tableId)));
            outputs.add(tableId);
            entries.add(
                new OfflineTable(
                    view.name(),
                    reg.version(),
                    table,
                    snapshot.get(),
                    run.record().id(),
                    Instant.now()));
          }
          run.progress(
              Map.of(
                  "batches", Long.toString(batches.batches.get()),
                  "rows", Long.toString(batches.rows.get()),
                  "dead_letters", Long.toString(batches.letters.get())));
          RunRecord done =
              run.complete(outputs, entries.toArray(dev.strata.registry.CatalogEntry[]::new));
          return new Result(
              view.name(),
              reg.version(),
              table,
              dead,
              batches.batches.get(),
              batches.rows.get(),
              batches.letters.get(),
              done);
        });
  }

  /**
   * Runs the view's stream on a thread of its own, for callers that do other work meanwhile (the
   * streaming demo, the freshness benchmark); {@link StreamBackground#stop} ends it.
   */
  public StreamBackground start(String viewName, StreamOptions o) {
    return new StreamBackground(spark, viewName, () -> run(viewName, o));
  }

  static final String CHECKPOINT_MANAGER = "spark.sql.streaming.checkpointFileManagerClass";

  /**
   * On a local disk, Spark's default checkpoint writer renames through Hadoop's FileContext, which
   * (without Hadoop's native library) forks a {@code readlink} and a {@code chmod} process per
   * file: measured, a fifth of a micro-batch's time. There the FileSystem writer is used instead,
   * whose rename is as atomic on a local disk. Other file systems, and a session that names a
   * writer, keep theirs.
   */
  private void localCheckpointWriter(String checkpoint) throws java.io.IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(checkpoint);
    String scheme = path.getFileSystem(spark.sessionState().newHadoopConf()).getScheme();
    if ("file".equals(scheme) && !spark.conf().contains(CHECKPOINT_MANAGER)) {
      spark
          .conf()
          .set(
              CHECKPOINT_MANAGER,
              "org.apache.spark.sql.execution.streaming.FileSystemBasedCheckpointFileManager");
    }
  }

  static void stop(StreamingQuery query) {
    try {
      query.stop();
    } catch (TimeoutException e) {
      LOG.warn("the stream did not stop in time: {}", e.toString());
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** The streaming query up to the sink: Kafka records to emitted rows and dead letters. */
  private Dataset<Row> query(FeatureView view, Source source, StreamSweep sweep, StreamOptions o) {
    var reader =
        spark
            .readStream()
            .format("kafka")
            .option("kafka.bootstrap.servers", o.bootstrap())
            .option("subscribe", o.topic())
            .option("startingOffsets", o.startingOffsets())
            .option("failOnDataLoss", "true")
            // a topic partition's records are parsed by as many tasks as there are cores
            .option("minPartitions", spark.sparkContext().defaultParallelism())
            // Spark's consumer seeks before each fetch, so each fetch is a round trip: 16 MB ones
            // instead of Kafka's 1 MB read a backlog in half the time (measured: 200,000 records
            // counted in 460 ms against 930 ms)
            .option("kafka.max.partition.fetch.bytes", 16 << 20)
            .option("kafka.fetch.max.bytes", 64 << 20);
    if (o.maxOffsetsPerTrigger().isPresent()) {
      reader = reader.option("maxOffsetsPerTrigger", o.maxOffsetsPerTrigger().get());
    }
    Dataset<Row> kafka = reader.load();

    Dataset<Row> parsed =
        kafka
            .select(
                o.format().deadLetterValue().as(VALUE),
                col("topic").as(TOPIC),
                col("partition").as(PARTITION),
                col("offset").as(OFFSET),
                col("timestamp").as(KAFKA_TIME),
                o.format().parse(source, CORRUPT).as("__r"))
            .select(
                col(VALUE),
                col(TOPIC),
                col(PARTITION),
                col(OFFSET),
                col(KAFKA_TIME),
                col("__r").isNull().as("__null"),
                col("__r.*"));
    Column malformed = col("__null").or(col(CORRUPT).isNotNull());
    Dataset<Row> declared =
        SourceFrames.normalize(
            parsed,
            source,
            "stream of '" + view.name() + "'",
            col(VALUE),
            col(TOPIC),
            col(PARTITION),
            col(OFFSET),
            col(KAFKA_TIME),
            malformed.as("__malformed"));
    Column reason =
        when(
            col("__malformed"),
            lit(
                "malformed: not "
                    + (o.format() == RecordFormat.AVRO ? "an Avro record" : "a JSON object")
                    + " with source '"
                    + source.name()
                    + "''s columns"));
    for (JoinKey k : view.joinKeys()) {
      reason = reason.when(col(k.name()).isNull(), lit("missing key '" + k.name() + "'"));
    }
    reason =
        reason.when(
            col(source.eventTimestamp()).isNull(),
            lit("missing event timestamp '" + source.eventTimestamp() + "'"));
    List<Column> cols = new ArrayList<>(List.of(sweep.eventColumns()));
    cols.add(reason.as(REASON));
    cols.add(col(VALUE));
    cols.add(col(TOPIC));
    cols.add(col(PARTITION));
    cols.add(col(OFFSET));
    cols.add(col(KAFKA_TIME));
    // The watermark follows the good events' times only. Spark drops the rows that its watermark
    // column says are late before the state step sees them; here they must become dead letters, so
    // past the watermark's own step the column is null (never late) and only carries the mark that
    // event-time timeouts require.
    cols.add(when(reason.isNull(), col(source.eventTimestamp())).as(WATERMARK));
    Dataset<Row> watermarked =
        declared
            .select(cols.toArray(Column[]::new))
            .withWatermark(WATERMARK, o.lateness().toMillis() + " milliseconds");
    Metadata mark = watermarked.schema().apply(WATERMARK).metadata();
    List<Column> kept = new ArrayList<>();
    for (String c : watermarked.columns()) {
      kept.add(
          c.equals(WATERMARK)
              ? lit(null).cast(DataTypes.TimestampType).as(WATERMARK, mark)
              : col("`" + c + "`"));
    }
    Dataset<Row> events = watermarked.select(kept.toArray(Column[]::new));

    StructType keySchema = new StructType();
    Column[] keyColumns = new Column[sweep.keys()];
    for (int i = 0; i < sweep.keys(); i++) {
      StructField f = events.schema().fields()[i];
      keySchema = keySchema.add(f);
      keyColumns[i] = col("`" + f.name() + "`");
    }
    StructType output = outputSchema(sweep);
    Dataset<Row> out =
        events
            .groupBy(keyColumns)
            .as(Encoders.row(keySchema), Encoders.row(events.schema()))
            .flatMapGroupsWithState(
                new KeyStep(sweep, o.lateness()),
                OutputMode.Append(),
                Encoders.kryo(StreamState.class),
                Encoders.row(output),
                GroupStateTimeout.EventTimeTimeout());
    return out.observe(
        METRICS,
        sum(when(col(KIND).equalTo(KeyStep.POINT), 1).otherwise(0)).as("rows"),
        sum(when(col(KIND).equalTo(KeyStep.DEAD), 1).otherwise(0)).as("dead_letters"));
  }

  static final String CORRUPT = "__corrupt";
  static final String VALUE = "value";
  static final String TOPIC = "topic";
  static final String PARTITION = "partition";
  static final String OFFSET = "offset";
  static final String KAFKA_TIME = "kafka_timestamp";
  static final String WATERMARK = "__watermark";
  static final String KIND = "__kind";
  static final String EVENT_MICROS = "__event_micros";
  static final String METRICS = "strata_stream";

  /** The state step's rows: a kind, then an emitted row's columns, then a dead letter's. */
  static StructType outputSchema(StreamSweep sweep) {
    StructType s = new StructType().add(KIND, DataTypes.IntegerType, false);
    for (StructField f : sweep.pointSchema().fields()) {
      s = s.add(f.name(), f.dataType(), true);
    }
    return s.add(REASON, DataTypes.StringType, true)
        .add(VALUE, DataTypes.StringType, true)
        .add(TOPIC, DataTypes.StringType, true)
        .add(PARTITION, DataTypes.IntegerType, true)
        .add(OFFSET, DataTypes.LongType, true)
        .add(KAFKA_TIME, DataTypes.TimestampType, true)
        .add(EVENT_MICROS, DataTypes.LongType, true);
  }
}
