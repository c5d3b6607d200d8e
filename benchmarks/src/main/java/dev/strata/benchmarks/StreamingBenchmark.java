package dev.strata.benchmarks;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.streaming.FeatureStream;
import dev.strata.streaming.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Stream throughput: a backlog of events on a real Kafka topic (KRaft broker of the tests), read
 * once by {@code strata stream}'s job ({@link FeatureStream}, {@code --available-now}: windows,
 * state store, Redis and the Delta commits included) and once, in the same run, by the reference: a
 * raw Kafka consumer feeding a pipelined Jedis loop that writes the same keys. Reports events/s of
 * both and their ratio (goal: the stream at least 30% of the loop).
 *
 * <p>{@code benchmarks/run.sh streaming [--events N] [--keys K] [--out FILE]}
 */
public final class StreamingBenchmark {
  private StreamingBenchmark() {}

  static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");

  public static void main(String[] args) throws Exception {
    int events = 200_000;
    int keys = 1_000;
    String out = "benchmarks/results/streaming.md";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--events" -> events = Integer.parseInt(args[++i]);
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--out" -> out = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path work = Files.createTempDirectory("strata-streaming-bench");
    SparkSession spark =
        Harness.session(
            work,
            "streaming benchmark",
            Map.of(
                "spark.sql.shuffle.partitions", "2",
                "spark.databricks.delta.snapshotPartitions", "2"));
    Entity sensor = Entity.builder("sensor").joinKey("sensor", STRING).build();
    String sourcePath = work.resolve("source").toString();
    StructType schema =
        new StructType()
            .add("sensor", DataTypes.StringType)
            .add("at", DataTypes.TimestampType)
            .add("x", DataTypes.LongType);
    spark
        .createDataFrame(List.of(RowFactory.create("s0", Timestamp.from(BASE), 0L)), schema)
        .write()
        .format("delta")
        .save(sourcePath);
    Source source =
        Source.builder("readings")
            .delta(sourcePath)
            .eventTimestamp("at")
            .column("sensor", STRING)
            .column("at", TIMESTAMP)
            .column("x", INT64)
            .build();
    FeatureView view =
        FeatureView.builder("sensor_stats")
            .entity(sensor)
            .source(source)
            .ttl(Duration.ofHours(1))
            .every(Duration.ofMinutes(1))
            .aggregate(count().over(Duration.ofMinutes(5)).as("n_5m"))
            .aggregate(avg(col("x")).over(Duration.ofMinutes(5)).as("x_avg_5m"))
            .build();

    List<String> report = new ArrayList<>();
    try (KafkaBroker kafka = KafkaBroker.start();
        RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry =
            JdbcRegistryStore.open(RegistryUrls.inMemory("bench" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(sensor, source, view).build(), ApplyOptions.defaults());
      String topic = "readings";
      kafka.createTopic(
          topic, 1); // one partition: no skew between partitions to outrun the lateness
      long produceStart = System.nanoTime();
      produce(kafka.bootstrap(), topic, events, keys);
      double produceSeconds = (System.nanoTime() - produceStart) / 1e9;

      // the reference: a raw consumer, each record parsed and written with a pipelined Jedis loop
      long refStart = System.nanoTime();
      long written = rawLoop(kafka.bootstrap(), topic, events, redis.ports().get(0));
      double refSeconds = (System.nanoTime() - refStart) / 1e9;

      FeatureStream stream =
          new FeatureStream(
              spark, registry, Warehouse.local(work.resolve("warehouse")), redis.url());
      long streamStart = System.nanoTime();
      FeatureStream.Result r =
          stream.run(
              "sensor_stats",
              FeatureStream.Options.of(kafka.bootstrap(), topic)
                  .lateness(Duration.ofMinutes(1))
                  .maxOffsetsPerTrigger(Math.max(1, events / 10))
                  .availableNow(true));
      double streamSeconds = (System.nanoTime() - streamStart) / 1e9;

      double refRate = events / refSeconds;
      double streamRate = events / streamSeconds;
      report.add("# Streaming: throughput of `strata stream` against a raw Kafka -> Jedis loop");
      report.add("");
      report.add(
          "Command: `benchmarks/run.sh streaming --events "
              + events
              + " --keys "
              + keys
              + "` on "
              + Instant.now()
              + ". One machine (2 cores) holds the Kafka broker (KRaft, a child JVM), redis-server"
              + " and Spark local[2]. "
              + events
              + " JSON events of "
              + keys
              + " keys, 10 ms apart in event time, wait on a 1-partition topic (produced in "
              + String.format("%.1f", produceSeconds)
              + " s); each side then reads them all.");
      report.add("");
      report.add("| side | what it does | seconds | events/s |");
      report.add("|---|---|---|---|");
      report.add(
          String.format(
              "| reference | KafkaConsumer, Jackson parse, pipelined Jedis SET per event (%d written) | %.1f | %.0f |",
              written, refSeconds, refRate));
      report.add(
          String.format(
              "| stream | `FeatureStream` --available-now, batches of %d: parse, watermark, state-store sweep (count and avg over 5 min, every minute), Redis newest per key, Delta commit; %d batches, %d rows, %d dead letters | %.1f | %.0f |",
              Math.max(1, events / 10),
              r.batches(),
              r.rows(),
              r.deadLetterCount(),
              streamSeconds,
              streamRate));
      report.add("");
      report.add(
          String.format(
              "The stream reaches **%.0f%%** of the loop's rate (goal: at least 30%%).",
              100 * streamRate / refRate));
    }
    Harness.report(out, report);
    report.forEach(System.out::println);
    spark.stop();
  }

  static void produce(String bootstrap, String topic, int events, int keys) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < events; i++) {
        Instant at = BASE.plusMillis(10L * i);
        producer.send(
            new ProducerRecord<>(
                topic,
                "{\"sensor\":\"s"
                    + (i % keys)
                    + "\",\"at\":\""
                    + at
                    + "\",\"x\":"
                    + (i % 97)
                    + "}"));
      }
      producer.flush();
    }
  }

  /** Reads every record once and writes each event's key with its value; returns the writes. */
  static long rawLoop(String bootstrap, String topic, int events, int redisPort) {
    ObjectMapper json = new ObjectMapper();
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("group.id", "reference-" + UUID.randomUUID());
    p.put("auto.offset.reset", "earliest");
    p.put("enable.auto.commit", "false");
    p.put("max.poll.records", "5000");
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    long seen = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p);
        Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
      consumer.subscribe(List.of(topic));
      while (seen < events) {
        Pipeline pipe = jedis.pipelined();
        for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(500))) {
          try {
            JsonNode n = json.readTree(rec.value());
            pipe.set(
                "ref:sensor_stats:" + n.get("sensor").asText(),
                n.get("at").asText() + "|" + n.get("x").asLong());
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
          seen++;
        }
        pipe.sync();
      }
    }
    return seen;
  }
}
