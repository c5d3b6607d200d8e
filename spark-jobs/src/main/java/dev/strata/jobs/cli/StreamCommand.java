package dev.strata.jobs.cli;

import dev.strata.registry.RegistryStore;
import dev.strata.streaming.FeatureStream;
import dev.strata.streaming.RecordFormat;
import dev.strata.streaming.StreamOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code strata stream}: a view's features from a Kafka topic, continuously. */
@Command(
    name = "stream",
    mixinStandardHelpOptions = true,
    description = {
      "Compute a view's features from its source's events on a Kafka topic (Spark Structured",
      "Streaming) into Redis and the view's offline Delta table, with the backfill's semantics:",
      "row-level features as the latest row per key, exact sliding windows at the cadence points.",
      "Events older than the watermark (newest event time seen less --lateness), unparseable",
      "records and records without a key or event time go to the dead-letter table with a reason.",
      "Restarted on the same checkpoint, it loses and duplicates nothing. Stop it with SIGTERM",
      "(Ctrl-C); --available-now reads what the topic holds and stops."
    })
final class StreamCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin RegistryOptions registry = new RegistryOptions();
  @Mixin SparkOptions sparkOptions = new SparkOptions();
  @Mixin MaterializeCommand.RedisOptions redis = new MaterializeCommand.RedisOptions();

  @Parameters(index = "0", paramLabel = "VIEW")
  String view;

  @Option(
      names = "--kafka",
      required = true,
      paramLabel = "BOOTSTRAP",
      description = "Kafka bootstrap servers, e.g. 127.0.0.1:9092.")
  String bootstrap;

  @Option(names = "--topic", required = true, paramLabel = "TOPIC")
  String topic;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "json",
      description =
          "Record format: json (one object per record) or avro (one binary Avro record per"
              + " record, no schema-registry header; the schema is printed at start), both with"
              + " the source's raw column names. Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--checkpoint",
      paramLabel = "DIR",
      description = "Default: <warehouse>/checkpoints/stream/<view>_v<N>.")
  String checkpoint;

  @Option(
      names = "--lateness",
      paramLabel = "DURATION",
      defaultValue = "PT10M",
      description = "How late an event may be (ISO-8601, e.g. PT10M). Default: ${DEFAULT-VALUE}.")
  Duration lateness;

  @Option(
      names = "--trigger",
      paramLabel = "DURATION",
      description = "Time between micro-batches (ISO-8601). Default: as soon as one ends.")
  Duration trigger;

  @Option(
      names = "--available-now",
      description = "Read what the topic holds now, in micro-batches, then stop.")
  boolean availableNow;

  @Option(
      names = "--starting-offsets",
      paramLabel = "earliest|latest",
      defaultValue = "earliest",
      description = "Where a new checkpoint starts reading. Default: ${DEFAULT-VALUE}.")
  String startingOffsets;

  @Option(
      names = "--max-records-per-batch",
      paramLabel = "N",
      description = "At most N records per micro-batch (Kafka's maxOffsetsPerTrigger).")
  Long maxRecords;

  @Override
  public Integer call() {
    RecordFormat records;
    try {
      records = RecordFormat.parse(format);
    } catch (dev.strata.errors.InvalidInputException e) {
      throw new StrataCli.UsageException(e.getMessage());
    }
    if (lateness.isNegative()) {
      throw new StrataCli.UsageException("--lateness must not be negative: " + lateness);
    }
    if (!startingOffsets.equals("earliest") && !startingOffsets.equals("latest")) {
      throw new StrataCli.UsageException(
          "--starting-offsets must be earliest or latest, not '" + startingOffsets + "'");
    }
    if (maxRecords != null && maxRecords <= 0) {
      throw new StrataCli.UsageException("--max-records-per-batch must be positive");
    }
    String url = redis.reachable();
    try (RegistryStore store = registry.open()) {
      MaterializeCommand.requireView(store, view);
      // a stream's state lives in one store per shuffle partition, fixed by its first start: as
      // many as there are cores, not Spark's 200, unless --conf (or spark-submit's) says otherwise
      java.util.Map<String, String> extra = new java.util.HashMap<>();
      if (!sparkOptions.conf.containsKey("spark.sql.shuffle.partitions")
          && !new org.apache.spark.SparkConf(true).contains("spark.sql.shuffle.partitions")) {
        extra.put(
            "spark.sql.shuffle.partitions",
            Integer.toString(Runtime.getRuntime().availableProcessors()));
      }
      SparkSession spark = sparkOptions.session("stream " + view, extra);
      FeatureStream stream = new FeatureStream(spark, store, sparkOptions.warehouse, url);
      StreamOptions o =
          new StreamOptions(
              bootstrap,
              topic,
              Optional.ofNullable(checkpoint),
              lateness,
              Optional.ofNullable(trigger),
              availableNow,
              startingOffsets,
              Optional.ofNullable(maxRecords),
              records);
      PrintWriter out = spec.commandLine().getOut();
      out.println(
          "Streaming "
              + view
              + " from "
              + bootstrap
              + "/"
              + topic
              + " (lateness "
              + lateness
              + (availableNow ? ", until the topic's current end" : ", until stopped")
              + ")");
      if (records == RecordFormat.AVRO) {
        out.println(
            "Avro schema of the records: "
                + RecordFormat.avroSchema(
                    store.source(store.requireView(view).definition().source()).orElseThrow()));
      }
      out.flush();
      FeatureStream.Result r = stream.run(view, o);
      out.println(
          "Streamed "
              + r.view()
              + " v"
              + r.version()
              + ": "
              + r.batches()
              + " batches, "
              + r.rows()
              + " rows into "
              + r.table().location()
              + ", "
              + r.deadLetterCount()
              + " dead letters in "
              + r.deadLetters().location()
              + "; run "
              + r.run().id());
      return StrataCli.OK;
    }
  }
}
