package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.FeatureRepository;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.streaming.FeatureStream;
import dev.strata.streaming.KafkaBroker;
import dev.strata.streaming.StreamBackground;
import dev.strata.streaming.StreamOptions;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code strata quickstart --stream}: a day of the flights sample replayed into a local Kafka
 * broker at many times real speed, streamed by {@link FeatureStream} into Redis and the offline
 * table, and read back over REST while it runs: ATL's {@code flights_1h} and {@code avg_delay_1h}
 * follow the replay's clock. Everything it starts (broker, Redis, server) stops at the end; its
 * registry and warehouse are its own ({@code .strata/stream-demo}, emptied at each run), so the
 * quickstart's state is untouched.
 */
final class StreamDemo {
  /** Polls in a row the server may answer 503 before the demo gives up: 5 s. */
  static final int UNAVAILABLE_POLLS = 20;

  static final Instant DAY = Instant.parse("2001-01-02T00:00:00Z");
  static final Duration LATENESS = Duration.ofMinutes(30);
  static final String AIRPORT = "ATL";
  static final String TOPIC = "flights";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final SparkOptions sparkOptions;
  private final String redisUrl;
  private final int speed;
  private final FeatureRepository repo;

  StreamDemo(
      PrintWriter out,
      FeatureRepository repo,
      SparkOptions sparkOptions,
      String redisUrl,
      int speed) {
    this.out = out;
    this.repo = repo;
    this.sparkOptions = sparkOptions;
    this.redisUrl = redisUrl;
    this.speed = speed;
  }

  void run() throws Exception {
    // the demo's own home: an embedded registry and a server log, so a local directory
    Path home = Path.of(".strata", "stream-demo");
    org.apache.hadoop.fs.FileSystem local =
        org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
    org.apache.hadoop.fs.Path homePath =
        new org.apache.hadoop.fs.Path(home.toAbsolutePath().toUri());
    local.delete(homePath, true);
    local.mkdirs(homePath);
    sparkOptions.warehouse = Warehouse.of(home.resolve("warehouse").toString());
    String registryUrl = RegistryUrls.embedded(home.resolve("registry"));
    out.printf(
        "Streaming demo: %s of the flights in %s, replayed into Kafka at %dx real speed (its"
            + " registry and warehouse: %s)%n",
        DAY.toString().substring(0, 10), InitCommand.samplePath(), speed, home);
    out.flush();
    SparkSession spark =
        sparkOptions.session(
            "stream demo",
            Map.of(
                "spark.sql.shuffle.partitions",
                Integer.toString(Runtime.getRuntime().availableProcessors())));
    List<Row> flights =
        spark
            .read()
            .parquet(InitCommand.samplePath())
            .filter(
                col("date")
                    .geq(lit(Timestamp.from(DAY)))
                    .and(col("date").lt(lit(Timestamp.from(DAY.plus(Duration.ofDays(1)))))))
            .collectAsList();
    List<FlightReplay.Arrival> replay =
        new java.util.ArrayList<>(FlightReplay.arrivalOrder(flights, LATENESS, new Random(1)));
    // one last record past the day and the lateness: every point of the day becomes final
    Instant end = DAY.plus(Duration.ofDays(1)).plus(LATENESS).plusSeconds(60);
    replay.add(new FlightReplay.Arrival(end, FlightReplay.record(end, 0, 1, "END", "X")));

    RedisLauncher ownRedis = null;
    try (RegistryStore store = JdbcRegistryStore.open(registryUrl);
        KafkaBroker kafka = KafkaBroker.start()) {
      store.apply(repo.definitions(), ApplyOptions.defaults());
      kafka.createTopic(TOPIC, 1);
      out.println("   Kafka broker (KRaft) at " + kafka.bootstrap() + ", topic '" + TOPIC + "'");
      String url = redisUrl;
      if (url == null) {
        ownRedis = RedisLauncher.single();
        url = ownRedis.url();
        out.println("   started redis-server at " + url);
      }
      try (FeatureServerProcess server =
          FeatureServerProcess.start(url, registryUrl, home.resolve("server.log"))) {
        out.println("   feature server at " + server.baseUrl());
        out.flush();
        follow(spark, store, kafka.bootstrap(), url, server, replay);
      }
    } finally {
      if (ownRedis != null) {
        ownRedis.close();
      }
    }
  }

  private void follow(
      SparkSession spark,
      RegistryStore store,
      String bootstrap,
      String url,
      FeatureServerProcess server,
      List<FlightReplay.Arrival> replay)
      throws Exception {
    AtomicReference<Throwable> failed = new AtomicReference<>();
    StreamBackground stream =
        new FeatureStream(spark, store, sparkOptions.warehouse, url)
            .start("origin_delays", StreamOptions.of(bootstrap, TOPIC).lateness(LATENESS));
    // the replay starts once the query waits for data, so that the day arrives batch by batch
    stream.awaitRunning(Duration.ofMinutes(2));
    long started = System.nanoTime();
    Thread producer =
        new Thread(() -> produce(bootstrap, replay, started, failed), "strata-replay");
    producer.start();
    out.println();
    out.println(
        "   replay clock       | "
            + AIRPORT
            + " served over REST: point, flights_1h, avg_delay_1h");
    String last = null;
    Instant lastPoint = DAY.plus(Duration.ofHours(23));
    long deadline = started + Duration.ofMinutes(10).toNanos();
    FeatureStream.Result done;
    int unavailable = 0;
    try {
      while (failed.get() == null && stream.failure().isEmpty() && System.nanoTime() < deadline) {
        // as of the replay's clock: the values the replayed day's present would serve
        Instant clock = DAY.plusMillis((long) ((System.nanoTime() - started) / 1e6 * speed));
        HttpResponse<String> r =
            server.post(
                "/v1/features/online",
                "{\"features\":[\"origin_delays:flights_1h\",\"origin_delays:avg_delay_1h\"],"
                    + "\"entities\":{\"origin\":[\""
                    + AIRPORT
                    + "\"]},\"as_of\":\""
                    + clock
                    + "\"}");
        // 503 is the server's "try again shortly" (Redis missed the request's deadline, as on a
        // loaded laptop while Spark runs): the next poll tries again, for up to 5 s in a row
        if (r.statusCode() == 503 && ++unavailable < UNAVAILABLE_POLLS) {
          Thread.sleep(250);
          continue;
        }
        if (r.statusCode() != 200) {
          throw new IllegalStateException(
              "the feature server answered " + r.statusCode() + ": " + r.body());
        }
        unavailable = 0;
        JsonNode row = JSON.readTree(r.body()).path("rows").path(0);
        String at = row.path("event_timestamps").path(0).asText(null);
        if (at != null && !at.equals(last)) {
          last = at;
          out.printf(
              "   %s | %s  flights_1h=%s  avg_delay_1h=%s%n",
              clock.toString().substring(0, 16),
              at,
              row.path("values").path(0),
              row.path("values").path(1));
          out.flush();
          if (!Instant.parse(at).isBefore(lastPoint)) {
            break;
          }
        }
        Thread.sleep(250);
      }
    } finally {
      producer.interrupt();
      producer.join();
      done = stream.stop();
    }
    if (failed.get() != null) {
      throw new IllegalStateException(
          "the replay into Kafka failed: " + failed.get().getMessage(), failed.get());
    }
    if (last == null || Instant.parse(last).isBefore(lastPoint)) {
      throw new IllegalStateException(
          "the server did not serve " + AIRPORT + "'s last point of the day within 10 minutes");
    }
    out.println();
    out.printf(
        "Streamed %d events in %d micro-batches: %d rows to %s and Redis, %d dead letters (run %s)."
            + " See the runs with ./strata ls runs --registry %s%n",
        replay.size(),
        done.batches(),
        done.rows(),
        done.table().location(),
        done.deadLetterCount(),
        done.run().id(),
        RegistryUrls.redact(RegistryUrls.embedded(Path.of(".strata", "stream-demo", "registry"))));
    out.flush();
  }

  /** Sends each record when the replay clock (the day at {@code speed}x) reaches its arrival. */
  private void produce(
      String bootstrap,
      List<FlightReplay.Arrival> replay,
      long started,
      AtomicReference<Throwable> failed) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (FlightReplay.Arrival a : replay) {
        long due = started + Duration.between(DAY, a.at()).toNanos() / speed;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          producer.flush();
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        producer.send(new ProducerRecord<>(TOPIC, a.json()));
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the demo ended first
    } catch (Throwable t) {
      failed.compareAndSet(null, t);
    }
  }
}
