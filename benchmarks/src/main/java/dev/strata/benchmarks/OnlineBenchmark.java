package dev.strata.benchmarks;

import static dev.strata.dsl.Features.FLOAT64;
import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.timestamp_seconds;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.dsl.ValueType;
import dev.strata.materialization.Materializer;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Warehouse;
import dev.strata.online.EntityKey;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.ValueCodec;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.StringJoiner;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The online path: materialization throughput against a raw pipelined Jedis write loop into the
 * same Redis, and the feature server's latency and peak rate (a separate JVM, as {@code strata
 * serve} runs it) against raw Redis round trips for the same reads, all in one run. Writes a
 * Markdown report.
 *
 * <p>{@code benchmarks/run.sh online [--entities N] [--seconds S]}
 *
 * <p>A benchmark is one scenario from data to report file, hence its length: materialization and
 * serving share one data set and one Redis; starting the server and the load itself live in {@link
 * ServerProcess} and {@link LoadGenerator}.
 */
public final class OnlineBenchmark {
  static final int FEATURES = 10;
  private final List<String> report = new ArrayList<>();

  public static void main(String[] args) throws Exception {
    int entities = 1_000_000;
    double seconds = 10;
    String out = "benchmarks/results/online.md";
    String serverJar = "online-store/server/target/strata-feature-server-0.1.0-SNAPSHOT-exec.jar";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--entities" -> entities = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--out" -> out = args[++i];
        case "--server-jar" -> serverJar = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    new OnlineBenchmark()
        .run(entities, seconds, Path.of(out), Path.of(serverJar), String.join(" ", args));
  }

  /** The profiles: a user id, an event time, five FLOAT64 and five INT64 features. */
  static Source source(String path) {
    Source.Builder sb =
        Source.builder("profiles")
            .parquet(path)
            .eventTimestamp("event_ts")
            .column("user_id", INT64)
            .column("event_ts", TIMESTAMP);
    for (int f = 0; f < FEATURES; f++) {
      sb.column("f" + f, f < 5 ? FLOAT64 : INT64);
    }
    return sb.build();
  }

  static FeatureView view(Source source, Entity user) {
    FeatureView.Builder b =
        FeatureView.builder("profile").entity(user).source(source).ttl(Duration.ofDays(30));
    for (int f = 0; f < FEATURES; f++) {
      b.feature(col("f" + f).as("f" + f));
    }
    return b.build();
  }

  private void run(int entities, double seconds, Path out, Path serverJar, String args)
      throws Exception {
    if (!Files.isRegularFile(serverJar)) {
      throw new IllegalStateException(
          "no server jar at "
              + serverJar
              + ": build it with mvn install -pl online-store/server -am");
    }
    Path work = Files.createTempDirectory("strata-online-bench");
    SparkSession spark =
        StrataSpark.configure(SparkSession.builder(), work.resolve("warehouse"))
            .master("local[2]")
            .appName("strata-online-benchmark")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    report.add("# Online path: materialization and serving");
    report.add("");
    report.add(
        "Command: `benchmarks/run.sh online "
            + args
            + "` on "
            + Instant.now()
            + "; 2 cores shared by Spark local[2] (or the server), the load generator and one redis-server"
            + " (started by the benchmark from the bundled binary). Ratios compare runs of the same process; the machine is a shared VM whose speed drifts between runs, hence medians of repeated rounds.");
    report.add("");
    String registryUrl = RegistryUrls.embedded(work.resolve("registry"));
    try (RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      Entity user = Entity.builder("user").joinKey("user_id", INT64).build();
      Instant base = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(3));
      String sourcePath = work.resolve("profiles").toString();
      List<Column> cols = new ArrayList<>();
      cols.add(org.apache.spark.sql.functions.col("id").mod(entities).as("user_id"));
      cols.add(
          timestamp_seconds(
                  lit(base.getEpochSecond())
                      .plus(
                          org.apache.spark.sql.functions.col("id").multiply(7919).mod(2 * 86_400)))
              .as("event_ts"));
      for (int f = 0; f < FEATURES; f++) {
        cols.add(
            f < 5
                ? rand(f).multiply(100).as("f" + f)
                : floor(rand(f).multiply(100_000)).cast("long").as("f" + f));
      }
      spark.range(2L * entities).select(cols.toArray(Column[]::new)).write().parquet(sourcePath);
      Source source = source(sourcePath);
      FeatureView view = view(source, user);
      registry.apply(
          Definitions.builder().addAll(user, source, view).build(), ApplyOptions.defaults());
      LocalDate from = LocalDate.ofInstant(base, ZoneOffset.UTC);
      new OfflineStore(spark, registry, Warehouse.local(work.resolve("offline")))
          .backfill("profile", from, from.plusDays(2), TableFormat.DELTA);

      materialization(spark, registry, redis.url(), view, entities, base);
      serving(redis.url(), registryUrl, serverJar, view, entities, seconds, work);
    } finally {
      spark.stop();
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, report, StandardCharsets.UTF_8);
    System.out.println(String.join("\n", report));
  }

  // ------------------------------------------------------------------ materialization

  private void materialization(
      SparkSession spark,
      RegistryStore registry,
      String redisUrl,
      FeatureView view,
      int entities,
      Instant base) {
    Materializer m = new Materializer(spark, registry, redisUrl);
    Instant end = base.plus(Duration.ofDays(2));
    URI uri = URI.create(redisUrl);
    try (Jedis jedis = new Jedis(uri.getHost(), uri.getPort(), 120_000)) {
      jedis.flushAll();
      Timed first = timed(jedis, () -> m.materialize("profile", base, end).written());
      // rounds interleave the three writers, so that a slow spell of the machine hits all of them
      List<Timed> strata = new ArrayList<>();
      List<Timed> store = new ArrayList<>();
      List<Timed> raw = new ArrayList<>();
      List<Double> ratios = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        jedis.flushAll();
        strata.add(timed(jedis, () -> m.materialize("profile", base, end).written()));
        jedis.flushAll();
        store.add(timed(jedis, () -> storeWriteLoop(redisUrl, view, entities, end)));
        jedis.flushAll();
        raw.add(timed(jedis, () -> rawWriteLoop(jedis, view, entities, end)));
        ratios.add(strata.get(round).rate() / raw.get(round).rate());
        for (Timed t : List.of(first, strata.get(round), store.get(round), raw.get(round))) {
          if (t.rows() != entities) {
            throw new IllegalStateException(
                "a writer wrote " + t.rows() + " rows, expected " + entities);
          }
        }
        if (jedis.dbSize() != entities) {
          throw new IllegalStateException(
              "Redis holds " + jedis.dbSize() + " keys, expected " + entities);
        }
      }
      // leave Redis materialized for the serving half
      jedis.flushAll();
      m.materialize("profile", base, end);
      double rawRate = median(raw).rate();
      report.add(
          "## Materialization: "
              + FEATURES
              + " features per row, "
              + entities
              + " entities ("
              + 2L * entities
              + " offline rows, the latest per key written)");
      report.add("");
      report.add(
          "Median of "
              + ROUNDS
              + " rounds; each round runs the three writers one after another into an emptied Redis."
              + " Seconds of every round in brackets.");
      report.add("");
      report.add("| what | rows | seconds | rows/s | vs raw loop | redis-server CPU s |");
      report.add("|---|---|---|---|---|---|");
      report.add(line("Strata materialize, first run (JIT cold)", List.of(first), rawRate));
      report.add(
          line(
              "Strata materialize (Delta read, latest per key, Lua newer-wins writes from 2 partitions)",
              strata,
              rawRate));
      report.add(
          line(
              "RedisOnlineStore.write alone (Lua newer-wins, 100 keys a call), one thread, batches of 1,000, values from memory",
              store,
              rawRate));
      report.add(
          line(
              "raw Jedis loop: HSET t,v + PEXPIREAT, pipelines of 1,000, one thread, values from memory",
              raw,
              rawRate));
      report.add("");
      ratios.sort(null);
      report.add(
          String.format(
              Locale.ROOT,
              "Strata reaches **%.0f%%** of the raw loop's rate (median of the rounds' ratios;"
                  + " rounds: %s; goal: at least 50%%).",
              100 * ratios.get(ratios.size() / 2),
              ratios.stream().map(x -> String.format(Locale.ROOT, "%.0f%%", 100 * x)).toList()));
      report.add("");
    }
  }

  static final int ROUNDS = 3;

  /** One timed write of all entities: wall seconds and the redis-server CPU seconds it caused. */
  record Timed(long rows, double seconds, double redisCpu) {
    double rate() {
      return rows / seconds;
    }
  }

  static Timed timed(Jedis jedis, java.util.function.LongSupplier run) {
    double c0 = redisCpu(jedis);
    long t0 = System.nanoTime();
    long rows = run.getAsLong();
    double s = (System.nanoTime() - t0) / 1e9;
    return new Timed(rows, s, redisCpu(jedis) - c0);
  }

  static Timed median(List<Timed> runs) {
    List<Timed> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(Timed::seconds));
    return sorted.get(sorted.size() / 2);
  }

  static String line(String what, List<Timed> runs, double rawRate) {
    Timed m = median(runs);
    String all =
        runs.size() == 1
            ? ""
            : " "
                + runs.stream().map(t -> String.format(Locale.ROOT, "%.1f", t.seconds())).toList();
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.1f%s | %.0f | %.2f | %.1f |",
        what,
        m.rows(),
        m.seconds(),
        all,
        m.rate(),
        m.rate() / rawRate,
        m.redisCpu());
  }

  /** The reference: the same keys and value bytes written by a plain pipelined loop, no checks. */
  static long rawWriteLoop(Jedis jedis, FeatureView view, int entities, Instant end) {
    List<ValueType> types = new ArrayList<>();
    view.features().forEach(f -> types.add(f.type()));
    Random rnd = new Random(7);
    long eventMicros = end.toEpochMilli() * 1000;
    byte[] t = Long.toString(eventMicros).getBytes(StandardCharsets.US_ASCII);
    long expireAt = end.toEpochMilli() + Duration.ofDays(60).toMillis();
    Object[] values = new Object[FEATURES];
    Pipeline p = jedis.pipelined();
    for (int i = 0; i < entities; i++) {
      for (int f = 0; f < FEATURES; f++) {
        values[f] =
            f < 5 ? (Object) (rnd.nextDouble() * 100) : (Object) (long) rnd.nextInt(100_000);
      }
      byte[] key =
          RedisOnlineStore.key(view, 1, EntityKey.encode(view.joinKeys(), List.of((long) i)))
              .getBytes(StandardCharsets.UTF_8);
      p.hset(
          key,
          java.util.Map.of(
              new byte[] {'t'}, t, new byte[] {'v'}, ValueCodec.encode(types, values)));
      p.pexpireAt(key, expireAt);
      if (i % 1000 == 999) {
        p.sync();
      }
    }
    p.sync();
    return entities;
  }

  /** CPU seconds (user + system) the redis-server has used so far, from INFO. */
  static double redisCpu(Jedis jedis) {
    double cpu = 0;
    for (String line : jedis.info("cpu").split("\r?\n")) {
      if (line.startsWith("used_cpu_user:") || line.startsWith("used_cpu_sys:")) {
        cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return cpu;
  }

  /**
   * The online store's write path alone: the raw loop's rows, through {@link
   * RedisOnlineStore#write}.
   */
  static long storeWriteLoop(String redisUrl, FeatureView view, int entities, Instant end) {
    Random rnd = new Random(7);
    long eventMicros = end.toEpochMilli() * 1000;
    long written = 0;
    try (RedisOnlineStore store = RedisOnlineStore.connect(redisUrl)) {
      List<RedisOnlineStore.OnlineRow> batch = new ArrayList<>(1000);
      for (int i = 0; i < entities; i++) {
        Object[] values = new Object[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
          values[f] =
              f < 5 ? (Object) (rnd.nextDouble() * 100) : (Object) (long) rnd.nextInt(100_000);
        }
        batch.add(new RedisOnlineStore.OnlineRow(List.of((long) i), eventMicros, values));
        if (batch.size() == 1000 || i == entities - 1) {
          written += store.write(view, 1, batch);
          batch.clear();
        }
      }
    }
    return written;
  }

  // ------------------------------------------------------------------ serving

  private void serving(
      String redisUrl,
      String registryUrl,
      Path serverJar,
      FeatureView view,
      int entities,
      double seconds,
      Path work)
      throws Exception {
    int port = ServerProcess.freePort();
    Process server =
        ServerProcess.startServer(
            serverJar, redisUrl, registryUrl, port, work.resolve("server.log"));
    try {
      Random rnd = new Random(11);
      String names = ServerProcess.featureNames();
      List<String> single = ServerProcess.singleRequests(entities, rnd);
      List<String> hundred = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        StringJoiner ids = new StringJoiner(",", "[", "]");
        for (int k = 0; k < 100; k++) {
          ids.add(Integer.toString(rnd.nextInt(entities)));
        }
        if (i < 200) {
          hundred.add("{\"features\":" + names + ",\"entities\":{\"user_id\":" + ids + "}}");
        }
      }
      ServerProcess.checkAnswer(port, single.get(0));
      LoadGenerator.ClientFactory one =
          () -> new LoadGenerator.HttpClient("127.0.0.1", port, "/v1/features/online", single);
      LoadGenerator.ClientFactory many =
          () -> new LoadGenerator.HttpClient("127.0.0.1", port, "/v1/features/online", hundred);
      URI uri = URI.create(redisUrl);
      List<byte[]> keys = new ArrayList<>();
      for (int i = 0; i < 100_000; i++) {
        keys.add(
            RedisOnlineStore.key(
                    view,
                    1,
                    EntityKey.encode(view.joinKeys(), List.of((long) rnd.nextInt(entities))))
                .getBytes(StandardCharsets.UTF_8));
      }
      LoadGenerator.ClientFactory rawOne = () -> redisClient(uri, keys, 1);
      LoadGenerator.ClientFactory rawMany = () -> redisClient(uri, keys, 100);

      // warm the server's JIT up, then measure
      LoadGenerator.closedLoop(one, 8, Math.max(5, seconds));
      LoadGenerator.closedLoop(many, 4, Math.max(3, seconds / 2));

      report.add(
          "## Serving: `POST /v1/features/online` on loopback, server in its own JVM (-Xmx1g, ParallelGC)");
      report.add("");
      report.add(
          "Latency counts from each call's intended start (open loop), so queueing behind a slow call is charged."
              + " Fixed-rate loads run "
              + ROUNDS
              + " times: the row is the run with the median p99, the p99 of every run in brackets;"
              + " peaks run once.");
      report.add("");
      report.add("| request | load | calls | errors | achieved rps | p50 ms | p99 ms | p99.9 ms |");
      report.add("|---|---|---|---|---|---|---|---|");
      row(
          "1 entity x 10 features",
          "2,000 rps, 8 connections",
          () -> LoadGenerator.fixedRate(one, 8, 2000, seconds));
      row(
          "raw Redis: HMGET of 1 key (Jedis)",
          "2,000 rps, 8 connections",
          () -> LoadGenerator.fixedRate(rawOne, 8, 2000, seconds));
      row(
          "1 entity x 10 features",
          "peak: closed loop, 16 connections",
          LoadGenerator.closedLoop(one, 16, seconds));
      row(
          "1 entity x 10 features",
          "peak: closed loop, 64 connections",
          LoadGenerator.closedLoop(one, 64, seconds));
      row(
          "raw Redis: HMGET of 1 key (Jedis)",
          "peak: closed loop, 16 connections",
          LoadGenerator.closedLoop(rawOne, 16, seconds));
      row(
          "100 entities x 10 features",
          "200 rps, 4 connections",
          () -> LoadGenerator.fixedRate(many, 4, 200, seconds));
      row(
          "raw Redis: pipeline of 100 HMGETs (Jedis)",
          "200 rps, 4 connections",
          () -> LoadGenerator.fixedRate(rawMany, 4, 200, seconds));
      row(
          "100 entities x 10 features",
          "peak: closed loop, 8 connections",
          LoadGenerator.closedLoop(many, 8, seconds));
      row(
          "raw Redis: pipeline of 100 HMGETs (Jedis)",
          "peak: closed loop, 8 connections",
          LoadGenerator.closedLoop(rawMany, 8, seconds));
      report.add("");
      report.add(
          "Goals on this 2-core machine: p99 at most 2 ms at 2,000 rps; a peak of at least 10,000 rps for"
              + " single-entity lookups; p99 at most 10 ms for 100-entity requests.");
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /** Runs a fixed-rate load {@link #ROUNDS} times and reports the run with the median p99. */
  private void row(
      String what, String load, java.util.concurrent.Callable<LoadGenerator.Result> run)
      throws Exception {
    List<LoadGenerator.Result> runs = new ArrayList<>();
    for (int i = 0; i < ROUNDS; i++) {
      runs.add(run.call());
    }
    List<LoadGenerator.Result> sorted = new ArrayList<>(runs);
    sorted.sort(java.util.Comparator.comparingDouble(r -> r.percentileMillis(99)));
    String p99s =
        runs.stream()
            .map(r -> String.format(Locale.ROOT, "%.2f", r.percentileMillis(99)))
            .collect(java.util.stream.Collectors.joining(", ", " [", "]"));
    row(what, load, sorted.get(sorted.size() / 2), p99s);
  }

  private void row(String what, String load, LoadGenerator.Result r) {
    row(what, load, r, "");
  }

  /**
   * A table row; {@code p99Runs} follows the p99 cell (the p99 of every run, for repeated loads).
   */
  private void row(String what, String load, LoadGenerator.Result r, String p99Runs) {
    report.add(
        String.format(
            Locale.ROOT,
            "| %s | %s | %d | %d | %.0f | %.2f | %.2f%s | %.2f |",
            what,
            load,
            r.calls(),
            r.errors(),
            r.rate(),
            r.percentileMillis(50),
            r.percentileMillis(99),
            p99Runs,
            r.percentileMillis(99.9)));
    System.out.println(report.get(report.size() - 1));
  }

  static LoadGenerator.Client redisClient(URI uri, List<byte[]> keys, int perCall) {
    Jedis jedis = new Jedis(uri.getHost(), uri.getPort());
    byte[] t = {'t'};
    byte[] v = {'v'};
    return new LoadGenerator.Client() {
      @Override
      public void call(long i) {
        if (perCall == 1) {
          if (jedis.hmget(keys.get((int) (i % keys.size())), t, v).get(1) == null) {
            throw new IllegalStateException("missing value");
          }
          return;
        }
        Pipeline p = jedis.pipelined();
        for (int k = 0; k < perCall; k++) {
          p.hmget(keys.get((int) ((i * perCall + k) % keys.size())), t, v);
        }
        p.sync();
      }

      @Override
      public void close() {
        jedis.close();
      }
    };
  }
}
