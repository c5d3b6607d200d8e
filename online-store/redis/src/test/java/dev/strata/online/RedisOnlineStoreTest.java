package dev.strata.online;

import static dev.strata.dsl.Features.BOOL;
import static dev.strata.dsl.Features.DATE;
import static dev.strata.dsl.Features.FLOAT32;
import static dev.strata.dsl.Features.FLOAT64;
import static dev.strata.dsl.Features.INT32;
import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.online.RedisOnlineStore.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.util.JedisClusterCRC16;

/** The online store against real Redis servers: one server and a cluster of three masters. */
class RedisOnlineStoreTest {
  static RedisLauncher single;
  static RedisLauncher cluster;

  @BeforeAll
  static void start() {
    single = RedisLauncher.single();
    cluster = RedisLauncher.cluster();
  }

  @AfterAll
  static void stop() {
    single.close();
    cluster.close();
  }

  static Stream<String> redis() {
    return Stream.of(single.url(), cluster.url());
  }

  static final Entity PAIR =
      Entity.builder("pair").joinKey("a", INT64).joinKey("b", STRING).build();
  static final Source SOURCE =
      Source.builder("s")
          .parquet("unused")
          .eventTimestamp("ts")
          .column("a", INT64)
          .column("b", STRING)
          .column("ts", TIMESTAMP)
          .column("f_bool", BOOL)
          .column("f_int", INT32)
          .column("f_long", INT64)
          .column("f_float", FLOAT32)
          .column("f_double", FLOAT64)
          .column("f_string", STRING)
          .column("f_date", DATE)
          .build();

  static FeatureView view(String name, Duration ttl) {
    return FeatureView.builder(name)
        .entity(PAIR)
        .source(SOURCE)
        .ttl(ttl)
        .feature(col("f_bool").as("f_bool"))
        .feature(col("f_int").as("f_int"))
        .feature(col("f_long").as("f_long"))
        .feature(col("f_float").as("f_float"))
        .feature(col("f_double").as("f_double"))
        .feature(col("f_string").as("f_string"))
        .feature(col("ts").as("f_ts"))
        .feature(col("f_date").as("f_date"))
        .build();
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }

  static Object[] values(long n) {
    return new Object[] {
      n % 2 == 0, (int) n, n * 1_000_000_007L, n / 4.0f, n / 3.0, "é-" + n, n * 1000L, (int) n
    };
  }

  String unique() {
    return "v" + System.nanoTime();
  }

  @ParameterizedTest
  @MethodSource("redis")
  void writesAndReadsEveryTypeAndKeepsCollidingKeysApart(String url) {
    FeatureView v = view(unique(), Duration.ofDays(1));
    long now = micros(Instant.now());
    try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
      Object[] nulls = new Object[8];
      long written =
          store.write(
              v,
              1,
              List.of(
                  new OnlineRow(List.of(1L, "12"), now, values(1)),
                  new OnlineRow(List.of(11L, "2"), now, values(2)),
                  new OnlineRow(List.of(3, "x"), now - 5, nulls)));
      assertThat(written).isEqualTo(3);
      List<OnlineValue> got =
          store.read(
              v,
              1,
              List.of(List.of(1L, "12"), List.of(11L, "2"), List.of(3L, "x"), List.of(4L, "y")),
              Instant.now());
      assertThat(got)
          .extracting(OnlineValue::status)
          .containsExactly(Status.PRESENT, Status.PRESENT, Status.PRESENT, Status.NOT_FOUND);
      assertThat(got.get(0).values()).containsExactly(values(1));
      assertThat(got.get(1).values()).containsExactly(values(2));
      assertThat(got.get(2).values()).containsExactly(nulls);
      assertThat(got.get(2).eventMicros()).isEqualTo(now - 5);
      // another version of the view is another key: nothing there
      assertThat(store.read(v, 2, List.of(List.of(1L, "12")), Instant.now()).get(0).status())
          .isEqualTo(Status.NOT_FOUND);
    }
  }

  @ParameterizedTest
  @MethodSource("redis")
  void anOlderEventNeverReplacesANewerOne(String url) throws Exception {
    FeatureView v = view(unique(), Duration.ZERO);
    List<Object> key = List.of(7L, "k");
    try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
      assertThat(store.write(v, 1, List.of(new OnlineRow(key, 2_000, values(2))))).isEqualTo(1);
      assertThat(store.write(v, 1, List.of(new OnlineRow(key, 1_000, values(1))))).isZero();
      assertThat(store.read(v, 1, List.of(key), Instant.now()).get(0).values())
          .containsExactly(values(2));
      assertThat(store.write(v, 1, List.of(new OnlineRow(key, 2_000, values(2)))))
          .as("a rerun")
          .isEqualTo(1);

      // writers racing with event times 0..399 in random order: the newest wins, always
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> done = new ArrayList<>();
      List<Long> times = new ArrayList<>();
      for (long t = 0; t < 400; t++) {
        times.add(10_000 + t);
      }
      java.util.Collections.shuffle(times, new java.util.Random(5));
      for (int w = 0; w < 4; w++) {
        List<Long> mine = times.subList(w * 100, (w + 1) * 100);
        done.add(
            pool.submit(
                () -> {
                  for (long t : mine) {
                    store.write(v, 1, List.of(new OnlineRow(key, t, values(t))));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      pool.shutdown();
      OnlineValue last = store.read(v, 1, List.of(key), Instant.now()).get(0);
      assertThat(last.eventMicros()).isEqualTo(10_399);
      assertThat(last.values()).containsExactly(values(10_399));
    }
  }

  @ParameterizedTest
  @MethodSource("redis")
  void largeBatchesWithRepeatedKeysKeepTheNewestOfEachKey(String url) {
    FeatureView v = view(unique(), Duration.ZERO);
    java.util.Random rnd = new java.util.Random(11);
    // the reference: a map of key -> newest event time written so far, by a plain loop
    java.util.Map<Long, Long> newest = new java.util.HashMap<>();
    try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
      for (int round = 0; round < 4; round++) {
        List<OnlineRow> batch = new ArrayList<>();
        long expectWritten = 0;
        java.util.Map<Long, Long> inBatch = new java.util.HashMap<>(newest);
        for (int i = 0;
            i < 450;
            i++) { // several script calls a batch, keys repeated within a batch
          long k = rnd.nextInt(300);
          long t = 1_000 + rnd.nextInt(5_000);
          batch.add(new OnlineRow(List.of(k, "b"), t, values(t)));
          Long cur = inBatch.get(k);
          if (cur == null || cur <= t) {
            inBatch.put(k, t);
            expectWritten++;
          }
        }
        assertThat(store.write(v, 1, batch))
            .as("rows written in round " + round)
            .isEqualTo(expectWritten);
        newest = inBatch;
      }
      List<List<?>> keys = new ArrayList<>();
      for (long k = 0; k < 300; k++) {
        keys.add(List.of(k, "b"));
      }
      List<OnlineValue> got = store.read(v, 1, keys, Instant.now());
      for (int k = 0; k < 300; k++) {
        Long t = newest.get((long) k);
        if (t == null) {
          assertThat(got.get(k).status()).isEqualTo(Status.NOT_FOUND);
        } else {
          assertThat(got.get(k).eventMicros()).as("key " + k).isEqualTo(t);
          assertThat(got.get(k).values()).as("key " + k).containsExactly(values(t));
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("redis")
  void writesGoOnAfterTheServersForgetTheScript(String url) {
    FeatureView v = view(unique(), Duration.ZERO);
    RedisLauncher launcher = url.equals(single.url()) ? single : cluster;
    try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
      List<OnlineRow> rows = new ArrayList<>();
      for (long i = 0; i < 50; i++) {
        rows.add(new OnlineRow(List.of(i, "s"), 1_000 + i, values(i)));
      }
      assertThat(store.write(v, 1, rows)).isEqualTo(50);
      for (int port : launcher.ports()) {
        try (redis.clients.jedis.Jedis node = new redis.clients.jedis.Jedis("127.0.0.1", port)) {
          node.scriptFlush();
        }
      }
      List<OnlineRow> newer = new ArrayList<>();
      for (long i = 0; i < 50; i++) {
        newer.add(new OnlineRow(List.of(i, "s"), i % 2 == 0 ? 5_000 : 500, values(i + 100)));
      }
      assertThat(store.write(v, 1, newer)).as("only the newer half").isEqualTo(25);
      List<OnlineValue> got =
          store.read(v, 1, List.of(List.of(0L, "s"), List.of(1L, "s")), Instant.now());
      assertThat(got.get(0).values()).containsExactly(values(100));
      assertThat(got.get(1).values()).containsExactly(values(1));
    }
  }

  @ParameterizedTest
  @MethodSource("redis")
  void valuesExpireAfterTheTtlCountedFromTheirEventTime(String url) {
    FeatureView v = view(unique(), Duration.ofHours(1));
    Instant now = Instant.now();
    try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
      store.write(
          v,
          1,
          List.of(
              new OnlineRow(
                  List.of(1L, "fresh"), micros(now.minus(Duration.ofMinutes(59))), values(1)),
              new OnlineRow(
                  List.of(1L, "stale"), micros(now.minus(Duration.ofMinutes(61))), values(2)),
              new OnlineRow(
                  List.of(1L, "gone"), micros(now.minus(Duration.ofHours(3))), values(3))));
      List<OnlineValue> got =
          store.read(
              v, 1, List.of(List.of(1L, "fresh"), List.of(1L, "stale"), List.of(1L, "gone")), now);
      assertThat(got)
          .extracting(OnlineValue::status)
          .containsExactly(Status.PRESENT, Status.EXPIRED, Status.EXPIRED);
      assertThat(got.get(1).values()).containsOnlyNulls();
      // as of an earlier instant the old value was valid, and Redis still has it
      assertThat(
              store
                  .read(v, 1, List.of(List.of(1L, "gone")), now.minus(Duration.ofMinutes(150)))
                  .get(0)
                  .values())
          .containsExactly(values(3));
      // Redis drops values one TTL after their expiry, but never sooner than one TTL after the
      // write
      try (redis.clients.jedis.UnifiedJedis j =
          url.startsWith("redis-cluster")
              ? new redis.clients.jedis.JedisCluster(
                  redis.clients.jedis.HostAndPort.from(url.substring(16).split(",")[0]))
              : new redis.clients.jedis.JedisPooled(
                  url.replace("redis://", "").split(":")[0], Integer.parseInt(url.split(":")[2]))) {
        String entity = EntityKey.encode(PAIR.joinKeys(), List.of(1L, "gone"));
        long pttl = j.pttl(RedisOnlineStore.key(v, 1, entity));
        assertThat(pttl)
            .isBetween(Duration.ofMinutes(55).toMillis(), Duration.ofHours(1).toMillis());
      }
    }
  }

  @Test
  void oneEntityKeepsAllItsViewsInOneClusterSlot() {
    String entity = EntityKey.encode(PAIR.joinKeys(), List.of(1L, "12"));
    assertThat(entity).isEqualTo("l1:1s2:12");
    assertThat(EntityKey.encode(PAIR.joinKeys(), List.of(11L, "2"))).isEqualTo("l2:11s1:2");
    int a = JedisClusterCRC16.getSlot(RedisOnlineStore.key(view("one", Duration.ZERO), 1, entity));
    int b = JedisClusterCRC16.getSlot(RedisOnlineStore.key(view("two", Duration.ZERO), 4, entity));
    assertThat(a).isEqualTo(b);
    assertThatThrownBy(() -> EntityKey.encode(PAIR.joinKeys(), Arrays.asList("1", "x")))
        .hasMessage("key 'a' must be INT64, got String 1");
    assertThatThrownBy(() -> EntityKey.encode(PAIR.joinKeys(), Arrays.asList(1L, null)))
        .hasMessage("key 'b' is null");
  }
}
