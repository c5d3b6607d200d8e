package dev.strata.streaming;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.last;
import static dev.strata.dsl.Features.lit;
import static dev.strata.dsl.Features.max;
import static dev.strata.dsl.Features.sum;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.SharedSparkSession;
import dev.strata.offline.SourceFrames;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream from a real Kafka broker (KRaft) into a real Redis and a Delta table, against the batch
 * engine as the reference: the events, shuffled within the lateness bound, streamed, give exactly
 * the rows a backfill of the same events gives (no row missing, none twice), Redis holds each key's
 * newest row, and the bad records are dead letters with their reasons.
 */
@ExtendWith(SharedSparkSession.class)
class FeatureStreamTest {
  static KafkaBroker kafka;
  static RedisLauncher redis;

  @BeforeAll
  static void start() {
    kafka = KafkaBroker.start();
    redis = RedisLauncher.single();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
  static final Duration LATENESS = Duration.ofHours(2);
  static final Entity AIRPORT = Entity.builder("airport").joinKey("airport", STRING).build();
  static final StructType SCHEMA =
      new StructType()
          .add("airport", DataTypes.StringType)
          .add("at", DataTypes.TimestampType)
          .add("x", DataTypes.LongType);

  static FeatureView view(Source s) {
    return FeatureView.builder("delays")
        .entity(AIRPORT)
        .source(s)
        .ttl(Duration.ofDays(2))
        .every(Duration.ofHours(1))
        .feature(col("x").plus(lit(1L)).as("x_plus_1"))
        .aggregate(count().over(Duration.ofHours(1)).as("c1h"))
        .aggregate(sum(col("x")).over(Duration.ofDays(1)).as("s1d"))
        .aggregate(avg(col("x")).over(Duration.ofHours(3)).as("a3h"))
        .aggregate(max(col("x")).over(Duration.ofDays(1)).as("m1d"))
        .aggregate(last(col("x")).over(Duration.ofHours(6)).as("l6h"))
        .build();
  }

  /** Random events of 12 airports over 3 days, some at the same time as others of their key. */
  static List<Row> events(long seed, int n) {
    Random rnd = new Random(seed);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long second = rnd.nextInt(3 * 24 * 3600) / 600 * 600L; // on 10 minutes: ties happen
      rows.add(
          RowFactory.create(
              "A" + rnd.nextInt(12),
              Timestamp.from(BASE.plusSeconds(second)),
              (long) rnd.nextInt(100)));
    }
    return rows;
  }

  static String json(Row r) {
    return "{\"airport\":\""
        + r.getString(0)
        + "\",\"at\":\""
        + r.getTimestamp(1).toInstant()
        + "\",\"x\":"
        + r.getLong(2)
        + "}";
  }

  /**
   * The events in an order a real topic might have: sorted by time, then each moved back by up to
   * the lateness bound, never further.
   */
  static List<String> outOfOrder(List<Row> events, long seed) {
    return outOfOrder(events, seed, FeatureStreamTest::json);
  }

  static <T> List<T> outOfOrder(List<Row> events, long seed, Function<Row, T> record) {
    Random rnd = new Random(seed);
    TreeMap<Long, List<T>> byArrival = new TreeMap<>();
    for (Row r : events) {
      long t = r.getTimestamp(1).getTime();
      long arrival = t + (long) (rnd.nextDouble() * (LATENESS.toMillis() - 60_000));
      byArrival.computeIfAbsent(arrival, a -> new ArrayList<>()).add(record.apply(r));
    }
    List<T> out = new ArrayList<>();
    byArrival.values().forEach(out::addAll);
    return out;
  }

  /** An event as Avro's binary encoding, written by Avro's own generic writer. */
  static byte[] avro(Schema schema, String airport, Instant at, Long x) {
    GenericData.Record r = new GenericData.Record(schema);
    r.put("airport", airport);
    r.put("at", at == null ? null : at.getEpochSecond() * 1_000_000L + at.getNano() / 1000);
    r.put("x", x);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    BinaryEncoder out = EncoderFactory.get().binaryEncoder(bytes, null);
    try {
      new GenericDatumWriter<GenericData.Record>(schema).write(r, out);
      out.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void produce(String topic, List<String> values) {
    produceBytes(
        topic,
        values.stream().map(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList());
  }

  static void produceBytes(String topic, List<byte[]> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (byte[] v : values) {
        producer.send(new ProducerRecord<>(topic, v));
      }
      producer.flush();
    }
  }

  @Test
  void avroRecordsGiveTheBackfillsRowsAndBadOnesAreDeadLetters(
      SparkSession spark, @TempDir Path dir) {
    List<Row> good = events(31, 1000);
    Source source = source(spark, dir, good);
    FeatureView view = view(source);
    Schema schema = new Schema.Parser().parse(RecordFormat.avroSchema(source));
    List<byte[]> records =
        new ArrayList<>(
            outOfOrder(
                good,
                13,
                r -> avro(schema, r.getString(0), r.getTimestamp(1).toInstant(), r.getLong(2))));
    byte[] whole = avro(schema, "A1", BASE.plusSeconds(3600), 5L);
    byte[] notAvro = "not avro".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    records.add(200, notAvro);
    records.add(400, java.util.Arrays.copyOf(whole, whole.length - 2)); // cut short
    records.add(500, avro(schema, null, null, null)); // decodes: every field null
    records.add(600, avro(schema, null, BASE.plusSeconds(7200), 3L));
    records.add(800, avro(schema, "A2", null, 4L));
    records.add(avro(schema, "ZZZ", BASE.plus(Duration.ofDays(6)), 0L));
    String topic = "avro-" + UUID.randomUUID();
    kafka.createTopic(topic, 2);
    produceBytes(topic, records);

    try (RegistryStore registry =
        JdbcRegistryStore.open(RegistryUrls.inMemory("a" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view).build(), ApplyOptions.defaults());
      FeatureStream stream =
          new FeatureStream(spark, registry, Warehouse.local(dir.resolve("wh")), redis.url());
      FeatureStream.Result r =
          stream.run(
              "delays",
              StreamOptions.of(kafka.bootstrap(), topic)
                  .lateness(LATENESS)
                  .format(RecordFormat.AVRO)
                  .maxOffsetsPerTrigger(300)
                  .availableNow(true));
      assertStreamedRows(spark, r, backfill(spark, view, source));

      Map<String, Long> reasons = new TreeMap<>();
      List<String> malformed = new ArrayList<>();
      for (Row d : Tables.read(spark, r.deadLetters(), Optional.empty()).collectAsList()) {
        String reason = d.getString(d.fieldIndex("reason"));
        reasons.merge(reason.replaceAll("[ :].*", ""), 1L, Long::sum);
        if (reason.startsWith("malformed")) {
          assertThat(reason).contains("not an Avro record with source 'events''s columns");
          malformed.add(d.getString(d.fieldIndex("value")));
        }
      }
      // the all-null record is a record without a key, not a malformed one
      assertThat(reasons).containsEntry("malformed", 2L).containsEntry("missing", 3L).hasSize(2);
      assertThat(malformed).contains(java.util.Base64.getEncoder().encodeToString(notAvro));
    }
  }

  @Test
  void streamedRowsAreTheBackfillsRowsAndBadRecordsAreDeadLetters(
      SparkSession spark, @TempDir Path dir) {
    List<Row> good = events(7, 2500);
    Source source = source(spark, dir, good);
    FeatureView view = view(source);

    List<String> records = new ArrayList<>(outOfOrder(good, 11));
    // bad records, spread through the topic: none may stop the stream or go missing
    List<String> malformed =
        List.of(
            "not json",
            "{\"airport\":\"A1\",\"at\":\"2024-03-01T05:00:00Z\",\"x\":\"many\"}",
            "[1,2]");
    List<String> keyless =
        List.of(
            "{\"at\":\"2024-03-02T05:00:00Z\",\"x\":3}",
            "{\"airport\":null,\"at\":\"2024-03-02T06:00:00Z\",\"x\":3}");
    List<String> timeless = List.of("{\"airport\":\"A2\",\"x\":4}");
    // late: older than the newest time before them less the lateness
    List<String> late =
        List.of(
            "{\"airport\":\"A3\",\"at\":\"2024-03-01T00:00:00Z\",\"x\":5}",
            "{\"airport\":\"A4\",\"at\":\"2024-03-02T00:30:00Z\",\"x\":6}");
    records.add(500, malformed.get(0));
    records.add(900, malformed.get(1));
    records.add(1300, malformed.get(2));
    records.add(1500, keyless.get(0));
    records.add(1600, keyless.get(1));
    records.add(1700, timeless.get(0));
    // after more than a day and a half of events: both are older than the watermark
    records.add(2300, late.get(0));
    records.add(2301, late.get(1));
    // a sentinel far ahead moves the watermark past every point of the real keys
    records.add("{\"airport\":\"ZZZ\",\"at\":\"" + BASE.plus(Duration.ofDays(6)) + "\",\"x\":0}");
    String topic = "events-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    produce(topic, records);

    try (RegistryStore registry =
            JdbcRegistryStore.open(RegistryUrls.inMemory("s" + UUID.randomUUID()));
        RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view).build(), ApplyOptions.defaults());
      Warehouse warehouse = Warehouse.local(dir.resolve("wh"));
      FeatureStream stream = new FeatureStream(spark, registry, warehouse, redis.url());
      FeatureStream.Result r =
          stream.run(
              "delays",
              StreamOptions.of(kafka.bootstrap(), topic)
                  .lateness(LATENESS)
                  .maxOffsetsPerTrigger(250)
                  .availableNow(true));

      // the reference: the batch engine over the same good events
      List<Row> expected = backfill(spark, view, source);
      assertThat(expected).hasSizeGreaterThan(1000);
      assertStreamedRows(spark, r, expected);

      // Redis: each key's newest row
      for (Map.Entry<String, Row> e : newest(expected).entrySet()) {
        Instant at = e.getValue().getTimestamp(1).toInstant();
        OnlineValue v = online.read(view, 1, List.of(List.of(e.getKey())), at).get(0);
        assertThat(v.status()).as(e.getKey()).isEqualTo(RedisOnlineStore.Status.PRESENT);
        assertThat(v.eventMicros()).isEqualTo(at.toEpochMilli() * 1000);
        for (int i = 0; i < view.features().size(); i++) {
          assertThat(v.values()[i])
              .as(e.getKey() + " " + view.features().get(i).name())
              .isEqualTo(e.getValue().get(2 + i));
        }
      }

      // dead letters, each with its reason
      Map<String, Long> reasons = new TreeMap<>();
      for (Row d : Tables.read(spark, r.deadLetters(), Optional.empty()).collectAsList()) {
        String reason = d.getString(d.fieldIndex("reason"));
        reasons.merge(
            reason
                .substring(0, reason.indexOf(':') < 0 ? reason.length() : reason.indexOf(':'))
                .replaceAll(" '.*", ""),
            1L,
            Long::sum);
      }
      assertThat(reasons)
          .containsEntry("malformed", 3L)
          .containsEntry("missing key", 2L)
          .containsEntry("missing event timestamp", 1L)
          .containsEntry("late", 2L)
          .hasSize(4);
      assertThat(r.deadLetterCount()).isEqualTo(8);

      RunRecord run = registry.run(r.run().id()).orElseThrow();
      assertThat(run.status()).isEqualTo(RunRecord.Status.COMPLETED);
      assertThat(run.properties()).containsKey("offsets");
    }
  }

  @Test
  void aRedisOutageStallsTheStreamUntilRedisIsBack(SparkSession spark, @TempDir Path dir)
      throws Exception {
    List<Row> good = events(21, 800);
    Source source = source(spark, dir, good);
    FeatureView view = view(source);
    List<String> records = new ArrayList<>(outOfOrder(good, 5));
    records.add("{\"airport\":\"ZZZ\",\"at\":\"" + BASE.plus(Duration.ofDays(6)) + "\",\"x\":0}");
    String topic = "outage-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    produce(topic, records);

    try (RedisLauncher own = RedisLauncher.single();
        RegistryStore registry =
            JdbcRegistryStore.open(RegistryUrls.inMemory("o" + UUID.randomUUID()))) {
      registry.apply(
          Definitions.builder().addAll(AIRPORT, source, view).build(), ApplyOptions.defaults());
      FeatureStream stream =
          new FeatureStream(spark, registry, Warehouse.local(dir.resolve("wh")), own.url());
      own.kill(); // Redis is away before the first row is final
      java.util.concurrent.CompletableFuture<FeatureStream.Result> running =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () ->
                  stream.run(
                      "delays",
                      StreamOptions.of(kafka.bootstrap(), topic)
                          .lateness(LATENESS)
                          .maxOffsetsPerTrigger(200)
                          .availableNow(true)));
      Thread.sleep(15_000);
      assertThat(running).as("the stream waits for Redis; it does not fail or skip").isNotDone();
      RunRecord stalled = registry.runs(dev.strata.registry.RunQuery.job(FeatureStream.JOB)).get(0);
      assertThat(stalled.status()).isEqualTo(RunRecord.Status.RUNNING);

      own.restart(); // empty, on the same port
      FeatureStream.Result r = running.get(3, java.util.concurrent.TimeUnit.MINUTES);
      assertThat(registry.run(r.run().id()).orElseThrow().status())
          .isEqualTo(RunRecord.Status.COMPLETED);

      List<Row> expected = backfill(spark, view, source);
      assertStreamedRows(spark, r, expected);
      Map<String, Row> newest = newest(expected);
      try (RedisOnlineStore online = RedisOnlineStore.connect(own.url())) {
        for (Map.Entry<String, Row> e : newest.entrySet()) {
          Instant at = e.getValue().getTimestamp(1).toInstant();
          OnlineValue v = online.read(view, 1, List.of(List.of(e.getKey())), at).get(0);
          assertThat(v.status()).as(e.getKey()).isEqualTo(RedisOnlineStore.Status.PRESENT);
          assertThat(v.eventMicros()).isEqualTo(at.toEpochMilli() * 1000);
        }
      }
    }
  }

  static Source source(SparkSession spark, Path dir, List<Row> events) {
    String path = dir.resolve("source").toString();
    spark.createDataFrame(events, SCHEMA).write().format("delta").save(path);
    return Source.builder("events")
        .delta(path)
        .eventTimestamp("at")
        .column("airport", STRING)
        .column("at", TIMESTAMP)
        .column("x", INT64)
        .build();
  }

  /** What a backfill of the source's events gives: the batch engine, the reference. */
  static List<Row> backfill(SparkSession spark, FeatureView view, Source source) {
    LocalDate from = LocalDate.ofInstant(BASE, ZoneOffset.UTC);
    return OfflineStore.offlineRows(
            view,
            source,
            SourceFrames.read(spark, source, Optional.empty(), "test"),
            from,
            from.plusDays(5))
        .collectAsList();
  }

  /** The stream's offline rows, but the sentinel's, are exactly {@code expected}: none twice. */
  static void assertStreamedRows(SparkSession spark, FeatureStream.Result r, List<Row> expected) {
    List<String> streamed = new ArrayList<>();
    for (Row row : Tables.read(spark, r.table(), Optional.empty()).collectAsList()) {
      if (!row.getString(0).equals("ZZZ")) {
        streamed.add(canonical(row));
      }
    }
    List<String> want = new ArrayList<>();
    expected.forEach(e -> want.add(canonical(e)));
    Collections.sort(streamed);
    Collections.sort(want);
    assertThat(streamed).hasSize(want.size()).isEqualTo(want);
  }

  /** Each key's row at its last point. */
  static Map<String, Row> newest(List<Row> rows) {
    Map<String, Row> newest = new HashMap<>();
    for (Row e : rows) {
      Row b = newest.get(e.getString(0));
      if (b == null || b.getTimestamp(1).before(e.getTimestamp(1))) {
        newest.put(e.getString(0), e);
      }
    }
    return newest;
  }

  /** A row as text: keys, time, features (doubles to 9 significant digits). */
  static String canonical(Row r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      Object v = r.get(i);
      if (v instanceof Double d) {
        v = String.format("%.9g", d);
      }
      b.append(v).append('|');
    }
    return b.toString();
  }
}
