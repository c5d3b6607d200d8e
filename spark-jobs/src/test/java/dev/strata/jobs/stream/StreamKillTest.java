package dev.strata.jobs.stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.jobs.cli.CliProcess;
import dev.strata.jobs.cli.FeatureServerProcess;
import dev.strata.jobs.cli.FlightReplay;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.SourceFrames;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.JobKind;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.streaming.KafkaBroker;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A day of the flights sample through a real Kafka broker, in an order a topic might really have
 * (each flight up to the lateness bound late), by {@code strata stream} as a child process: killed
 * with SIGKILL part-way, then restarted on its checkpoint. The offline table then holds exactly the
 * rows a backfill of the same day computes (none twice), and the feature server serves, for every
 * airport, the backfill's values at the airport's last cadence point.
 */
public class StreamKillTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant DAY = Instant.parse("2001-01-02T00:00:00Z");
  static final Duration LATENESS = Duration.ofMinutes(30);
  public static final String END = "~END";

  @TempDir Path dir;

  @Test
  void aKilledStreamRestartsToTheBackfillsRowsAndServesThem() throws Exception {
    Path warehouse = dir.resolve("warehouse");
    SparkSession spark =
        StrataSpark.configure(SparkSession.builder(), warehouse)
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    String slice = dir.resolve("day.parquet").toString();
    spark
        .read()
        .parquet(System.getProperty("strata.flights.path"))
        .filter(
            col("date")
                .geq(lit(Timestamp.from(DAY)))
                .and(col("date").lt(lit(Timestamp.from(DAY.plus(Duration.ofDays(1)))))))
        .write()
        .parquet(slice);
    List<Row> flights = spark.read().parquet(slice).collectAsList();
    assertThat(flights).hasSizeGreaterThan(10_000);

    String registryUrl = RegistryUrls.embedded(dir.resolve("registry"));
    try (KafkaBroker kafka = KafkaBroker.start();
        RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(FlightsRepository.definitions(slice), ApplyOptions.defaults());
      String topic = "flights-" + UUID.randomUUID();
      kafka.createTopic(topic, 1);
      List<String> records = new ArrayList<>();
      FlightReplay.arrivalOrder(flights, LATENESS, new Random(3))
          .forEach(a -> records.add(a.json()));
      // past every point of the day's airports (7-day windows), so that all of them are final
      records.add(FlightReplay.record(DAY.plus(Duration.ofDays(9)), 0, 1, END, "X"));
      produce(kafka.bootstrap(), topic, records);

      List<String> args =
          List.of(
              "stream",
              "origin_delays",
              "--kafka",
              kafka.bootstrap(),
              "--topic",
              topic,
              "--lateness",
              LATENESS.toString(),
              "--max-records-per-batch",
              "2000",
              "--registry",
              registryUrl,
              "--redis",
              redis.url(),
              "--warehouse",
              warehouse.toString(),
              "--master",
              "local[2]");
      Path commits = warehouse.resolve("checkpoints/stream/origin_delays_v1/commits");
      Process first =
          CliProcess.start(dir.resolve("first"), List.of(), args.toArray(String[]::new));
      long deadline = System.currentTimeMillis() + 240_000;
      while (!Files.exists(commits.resolve("2"))
          && first.isAlive()
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(first.isAlive())
          .as("the stream must still run: " + Files.readString(dir.resolve("first/child.err")))
          .isTrue();
      Thread.sleep(new Random().nextInt(1500)); // anywhere in the next batches
      first.destroyForcibly().waitFor(); // SIGKILL

      List<String> again = new ArrayList<>(args);
      again.add("--available-now");
      CliProcess.Finished restarted =
          CliProcess.run(dir.resolve("second"), again.toArray(String[]::new));
      assertThat(restarted.code()).as(restarted.err()).isZero();
      assertThat(restarted.out()).contains("Streamed origin_delays v1");

      // the reference: the batch engine over the same day
      FeatureView view = registry.featureView("origin_delays").orElseThrow();
      List<Row> expected = backfillRows(spark, registry, LocalDate.parse("2001-01-02"));
      var table =
          new OfflineStore(spark, registry, Warehouse.local(warehouse))
              .location("origin_delays", 1, TableFormat.DELTA);
      List<Row> streamed = new ArrayList<>();
      for (Row r : Tables.read(spark, table, Optional.empty()).collectAsList()) {
        if (!r.getString(0).equals(END)) {
          streamed.add(r);
        }
      }
      List<String> want = canonical(expected);
      assertThat(new HashSet<>(want)).hasSize(want.size());
      assertThat(canonical(streamed)).hasSize(want.size()).isEqualTo(want);

      assertThat(registry.runs())
          .filteredOn(r -> r.job().equals(JobKind.STREAM))
          .extracting(RunRecord::status)
          .containsExactlyInAnyOrder(RunRecord.Status.ABANDONED, RunRecord.Status.COMPLETED);

      CliProcess.Finished ls =
          CliProcess.run(
              dir.resolve("ls"), "ls", "runs", "--job", "strata.stream", "--registry", registryUrl);
      assertThat(ls.code()).as(ls.err()).isZero();
      assertThat(ls.out().lines().filter(l -> l.contains("strata.stream")))
          .hasSize(2)
          .anySatisfy(l -> assertThat(l).contains("ABANDONED", "view=origin_delays"))
          .anySatisfy(l -> assertThat(l).contains("COMPLETED", "dead_letters=0", "topic=" + topic));

      // every airport's newest row, as the feature server serves it
      Map<String, Row> newest = new TreeMap<>();
      for (Row e : expected) {
        Row b = newest.get(e.getString(0));
        if (b == null || b.getTimestamp(1).before(e.getTimestamp(1))) {
          newest.put(e.getString(0), e);
        }
      }
      List<String> names = view.features().stream().map(Feature::name).toList();
      try (FeatureServerProcess server =
          FeatureServerProcess.start(redis.url(), registryUrl, dir.resolve("server.log"))) {
        for (Map.Entry<String, Row> e : newest.entrySet()) {
          Instant at = e.getValue().getTimestamp(1).toInstant();
          ObjectNode body = JSON.createObjectNode();
          var features = body.putArray("features");
          names.forEach(n -> features.add("origin_delays:" + n));
          body.putObject("entities").putArray("origin").add(e.getKey());
          body.put("as_of", at.toString());
          HttpResponse<String> r =
              server.post("/v1/features/online", JSON.writeValueAsString(body));
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          JsonNode row = JSON.readTree(r.body()).get("rows").get(0);
          for (int i = 0; i < names.size(); i++) {
            assertThat(row.get("statuses").get(i).asText()).as(e.getKey()).isEqualTo("PRESENT");
            Object want1 = e.getValue().get(2 + i);
            JsonNode got = row.get("values").get(i);
            if (want1 == null) {
              assertThat(got.isNull()).as(e.getKey() + " " + names.get(i)).isTrue();
            } else if (want1 instanceof Double d) {
              assertThat(got.asDouble()).as(e.getKey() + " " + names.get(i)).isEqualTo(d);
            } else {
              assertThat(got.asLong())
                  .as(e.getKey() + " " + names.get(i))
                  .isEqualTo(((Number) want1).longValue());
            }
          }
        }
      }
    }
  }

  public static void produce(String bootstrap, String topic, List<String> values) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      values.forEach(v -> producer.send(new ProducerRecord<>(topic, v)));
      producer.flush();
    }
  }

  /** What a backfill of {@code origin_delays} computes from the day {@code from} on. */
  public static List<Row> backfillRows(SparkSession spark, RegistryStore registry, LocalDate from) {
    FeatureView view = registry.featureView("origin_delays").orElseThrow();
    Source source = registry.source("flights").orElseThrow();
    return OfflineStore.offlineRows(
            view,
            source,
            SourceFrames.read(spark, source, Optional.empty(), "test"),
            from,
            from.plusDays(8))
        .collectAsList();
  }

  /** The rows as sorted text, doubles to 12 significant digits. */
  public static List<String> canonical(List<Row> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(canonical(r)));
    Collections.sort(out);
    return out;
  }

  /** A row as text, doubles to 12 significant digits. */
  static String canonical(Row r) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < r.length(); i++) {
      Object v = r.get(i);
      b.append(v instanceof Double d ? String.format("%.12g", d) : v).append('|');
    }
    return b.toString();
  }
}
