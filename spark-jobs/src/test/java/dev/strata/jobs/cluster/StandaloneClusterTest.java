package dev.strata.jobs.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.examples.flights.FlightsRepository;
import dev.strata.jobs.cli.FlightReplay;
import dev.strata.jobs.stream.StreamKillTest;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.JobKind;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import dev.strata.streaming.KafkaBroker;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs on a real standalone cluster: a master and two workers started from the Spark jars of
 * the build (a SPARK_HOME whose {@code jars/} links them), and the {@code strata backfill} job
 * submitted with spark-submit in client mode. Its offline table must equal a local-mode backfill of
 * the same view, and its run must be in the registry.
 */
class StandaloneClusterTest {
  @TempDir static Path dir;
  static Path sparkHome;
  static String classpath;
  static String jvmOptions;
  static String masterUrl;
  static final List<Process> processes = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    jvmOptions = Files.readString(target.resolve("classes/strata-jvm.options")).trim();
    classpath = Files.readString(target.resolve("classpath.txt")).trim();
    sparkHome = dir.resolve("spark-home");
    Path jars = Files.createDirectories(sparkHome.resolve("jars"));
    for (String entry : classpath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        Path link = jars.resolve(p.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, p);
        }
      }
    }
    // the cluster's processes log at INFO, so that the test sees registrations and grants
    Files.writeString(
        dir.resolve("log4j2-cluster.properties"),
        String.join(
                "\n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.out.ref = out",
                "appender.out.type = Console",
                "appender.out.name = out",
                "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n")
            + "\n");
    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    processes.add(
        start(
            "master",
            List.of(
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--webui-port",
                Integer.toString(freePort()))));
    for (int w = 1; w <= 2; w++) {
      processes.add(
          start(
              "worker" + w,
              List.of(
                  "org.apache.spark.deploy.worker.Worker",
                  masterUrl,
                  "--host",
                  "127.0.0.1",
                  "--cores",
                  "1",
                  "--memory",
                  "1536m",
                  "--webui-port",
                  Integer.toString(freePort()),
                  "--work-dir",
                  Files.createDirectories(dir.resolve("work" + w)).toString())));
    }
    waitFor(dir.resolve("master.log"), "I have been elected leader", Duration.ofSeconds(60));
    for (int w = 1; w <= 2; w++) {
      waitFor(
          dir.resolve("worker" + w + ".log"),
          "Successfully registered with master",
          Duration.ofSeconds(60));
    }
  }

  @AfterAll
  static void stopCluster() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void backfillSubmittedToTheClusterEqualsALocalBackfill() throws Exception {
    String registryUrl = RegistryUrls.embedded(dir.resolve("registry"));
    String flights = FlightsRepository.path();
    try (RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(FlightsRepository.definitions(flights), ApplyOptions.defaults());
    }
    Path warehouse = dir.resolve("cluster-warehouse");
    String log =
        submit(
            "submit",
            "backfill",
            "origin_delays",
            "--start",
            "2001-01-08",
            "--end",
            "2001-01-09",
            "--registry",
            registryUrl,
            "--warehouse",
            warehouse.toString());
    assertThat(log).contains("Backfilled origin_delays v1 for 2001-01-08..2001-01-09");

    SparkSession spark = localSpark();
    try (RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      RunRecord run =
          registry.runs(RunQuery.job(JobKind.BACKFILL)).stream().findFirst().orElseThrow();
      assertThat(run.status()).isEqualTo(RunRecord.Status.COMPLETED);
      // the table the cluster wrote, as the registry's catalog records it
      OfflineTable table = registry.offlineTable("origin_delays", 1).orElseThrow();
      assertThat(table.runId()).isEqualTo(run.id());
      Dataset<Row> onCluster = Tables.read(spark, table.table(), Optional.of(table.snapshot()));
      OfflineStore local =
          new OfflineStore(spark, registry, Warehouse.local(dir.resolve("local-warehouse")));
      OfflineStore.BackfillResult r =
          local.backfill(
              "origin_delays",
              LocalDate.parse("2001-01-08"),
              LocalDate.parse("2001-01-09"),
              TableFormat.DELTA);
      Dataset<Row> here = Tables.read(spark, r.table(), Optional.empty());
      assertThat(onCluster.count()).isEqualTo(r.rows()).isGreaterThan(10_000);
      assertThat(onCluster.exceptAll(here).count()).isZero();
      assertThat(here.exceptAll(onCluster).count()).isZero();
    }
  }

  /**
   * {@code strata ARGS} submitted to the cluster with spark-submit (client mode); returns its log
   * once it exited with 0, after checking that its executors ran on the workers.
   */
  private static String submit(String name, String... args) throws Exception {
    Path appJar = emptyJar(dir.resolve("strata-app.jar"));
    List<String> submit =
        new ArrayList<>(
            List.of(
                "org.apache.spark.deploy.SparkSubmit",
                "--master",
                masterUrl,
                "--deploy-mode",
                "client",
                "--class",
                "dev.strata.jobs.cli.StrataCli",
                "--conf",
                "spark.executor.memory=1g",
                "--conf",
                "spark.executor.cores=1",
                "--conf",
                "spark.cores.max=2",
                "--conf",
                "spark.driver.host=127.0.0.1",
                "--conf",
                "spark.ui.enabled=false",
                "--conf",
                "spark.executor.extraJavaOptions=" + jvmOptions.replaceAll("-Xmx\\S+", ""),
                appJar.toString()));
    submit.addAll(List.of(args));
    Process p = start(name, submit);
    Path logFile = dir.resolve(name + ".log");
    assertThat(p.waitFor()).as(Files.readString(logFile)).isZero();
    String log = Files.readString(logFile);
    // the executors ran on the workers, not in the driver
    assertThat(log).containsPattern("Granted executor ID app-\\S+ on hostPort 127.0.0.1");
    return log;
  }

  /**
   * {@code strata stream} submitted to the cluster: a day of the flights sample from a real Kafka
   * broker, each flight up to the lateness late, read by executors on the workers into Redis and
   * the offline table, which then holds exactly the rows a backfill of the day computes.
   */
  @Test
  void streamSubmittedToTheClusterWritesTheBackfillsRows() throws Exception {
    Instant day = Instant.parse("2001-01-02T00:00:00Z");
    Duration lateness = Duration.ofMinutes(30);
    SparkSession spark = localSpark();
    String slice = dir.resolve("day.parquet").toString();
    spark
        .read()
        .parquet(FlightsRepository.path())
        .filter(
            functions
                .col("date")
                .geq(functions.lit(java.sql.Timestamp.from(day)))
                .and(
                    functions
                        .col("date")
                        .lt(functions.lit(java.sql.Timestamp.from(day.plus(Duration.ofDays(1)))))))
        .write()
        .parquet(slice);
    String registryUrl = RegistryUrls.embedded(dir.resolve("stream-registry"));
    try (RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(FlightsRepository.definitions(slice), ApplyOptions.defaults());
    }
    Path warehouse = dir.resolve("stream-warehouse");
    try (KafkaBroker kafka = KafkaBroker.start();
        RedisLauncher redis = RedisLauncher.single()) {
      String topic = "flights";
      kafka.createTopic(topic, 1);
      List<String> records = new ArrayList<>();
      FlightReplay.arrivalOrder(
              spark.read().parquet(slice).collectAsList(), lateness, new Random(5))
          .forEach(a -> records.add(a.json()));
      records.add(FlightReplay.record(day.plus(Duration.ofDays(9)), 0, 1, StreamKillTest.END, "X"));
      // one partition: its order is the arrival order (two would drift apart in event time)
      StreamKillTest.produce(kafka.bootstrap(), topic, records);
      String log =
          submit(
              "stream",
              "stream",
              "origin_delays",
              "--kafka",
              kafka.bootstrap(),
              "--topic",
              topic,
              "--lateness",
              lateness.toString(),
              "--max-records-per-batch",
              "4000",
              "--available-now",
              "--redis",
              redis.url(),
              "--registry",
              registryUrl,
              "--warehouse",
              warehouse.toString());
      assertThat(log).contains("Streamed origin_delays v1");
      try (RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
        List<String> want =
            StreamKillTest.canonical(
                StreamKillTest.backfillRows(spark, registry, LocalDate.parse("2001-01-02")));
        var table =
            new OfflineStore(spark, registry, Warehouse.local(warehouse))
                .location("origin_delays", 1, TableFormat.DELTA);
        List<Row> streamed = new ArrayList<>();
        for (Row r : Tables.read(spark, table, Optional.empty()).collectAsList()) {
          if (!r.getString(0).equals(StreamKillTest.END)) {
            streamed.add(r);
          }
        }
        assertThat(StreamKillTest.canonical(streamed)).hasSize(want.size()).isEqualTo(want);
      }
    }
  }

  /** The test's own local session, for the reference computations. */
  private static SparkSession localSpark() {
    return StrataSpark.configure(SparkSession.builder(), dir.resolve("local-warehouse"))
        .master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate();
  }

  private static Process start(String name, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(jvmOptions.replaceAll("-Xmx\\S+", "-Xmx1g").split("\\s+")));
    cmd.add("-Dlog4j2.configurationFile=" + dir.resolve("log4j2-cluster.properties"));
    cmd.add("-cp");
    cmd.add(
        Path.of("target/classes").toAbsolutePath()
            + File.pathSeparator
            + Path.of("../examples/target/classes").toAbsolutePath()
            + File.pathSeparator
            + classpath);
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  private static void waitFor(Path log, String line, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError(
        "no '" + line + "' in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** spark-submit needs a primary jar; the classes themselves are on the driver's classpath. */
  private static Path emptyJar(Path path) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream o = Files.newOutputStream(path);
        JarOutputStream j = new JarOutputStream(o, m)) {
      j.flush();
    }
    return path;
  }
}
