package dev.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.strata.examples.flights.FlightsRepository;
import dev.strata.jobs.storage.S3Server;
import dev.strata.materialization.OnlineReference;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.JobKind;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jobs jar a cluster runs ({@code strata-spark-jobs-VERSION-all.jar}), against the jars of a
 * stock Spark (the {@code strata-spark-distribution} module's classpath): it must hold every class
 * the jobs need beyond them and none of theirs, and {@code spark-submit} of it must run a backfill
 * into an {@code s3a://} warehouse with nothing but a container role's credentials.
 */
class JobsJarTest {
  static final Path JOBS_JAR = Path.of(System.getProperty("strata.jobs.jar"));

  @TempDir static Path dir;

  static List<Path> sparkJars() throws IOException {
    String classpath =
        Files.readString(Path.of(System.getProperty("strata.spark.classpath"))).trim();
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(e -> e.endsWith(".jar"))
        .map(Path::of)
        .toList();
  }

  @Test
  void jobsJarHoldsNoClassTheSparkDistributionShips() throws IOException {
    Map<String, String> sparkClasses = new HashMap<>();
    for (Path jar : sparkJars()) {
      try (JarFile j = new JarFile(jar.toFile())) {
        for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
          String name = e.nextElement().getName();
          if (isClass(name)) {
            sparkClasses.putIfAbsent(name, jar.getFileName().toString());
          }
        }
      }
    }
    assertThat(sparkClasses).hasSizeGreaterThan(100_000);
    // for each of Spark's jars: how many of its classes the jobs jar holds again, and one of them
    Map<String, List<String>> twice = new TreeMap<>();
    int classes = 0;
    try (JarFile j = new JarFile(JOBS_JAR.toFile())) {
      for (Enumeration<JarEntry> e = j.entries(); e.hasMoreElements(); ) {
        String name = e.nextElement().getName();
        if (!isClass(name)) {
          continue;
        }
        classes++;
        String sparkJar = sparkClasses.get(name);
        if (sparkJar != null) {
          twice.computeIfAbsent(sparkJar, k -> new ArrayList<>()).add(name);
        }
      }
    }
    assertThat(classes).as("classes in the jobs jar").isGreaterThan(10_000);
    Map<String, String> summary = new TreeMap<>();
    twice.forEach((jar, names) -> summary.put(jar, names.size() + ", e.g. " + names.get(0)));
    assertThat(summary).as("classes of Spark's jars the jobs jar holds again").isEmpty();
  }

  private static boolean isClass(String name) {
    return name.endsWith(".class") && !name.endsWith("module-info.class");
  }

  @Test
  void jobsJarCarriesHadoopAwsAtSparksHadoopVersion() throws IOException {
    Pattern clientApi = Pattern.compile("hadoop-client-api-(.+)\\.jar");
    String sparkHadoop =
        sparkJars().stream()
            .map(p -> clientApi.matcher(p.getFileName().toString()))
            .filter(Matcher::matches)
            .map(m -> m.group(1))
            .findFirst()
            .orElseThrow();
    try (JarFile j = new JarFile(JOBS_JAR.toFile())) {
      Properties aws = new Properties();
      try (InputStream in =
          j.getInputStream(
              j.getEntry("META-INF/maven/org.apache.hadoop/hadoop-aws/pom.properties"))) {
        aws.load(in);
      }
      assertThat(aws.getProperty("version")).isEqualTo(sparkHadoop);
      assertThat(j.getEntry("org/apache/hadoop/fs/s3a/S3AFileSystem.class")).isNotNull();
      assertThat(j.getEntry("com/amazonaws/services/s3/AmazonS3Client.class")).isNotNull();
      assertThat(j.getManifest().getMainAttributes().getValue("Main-Class"))
          .isEqualTo("dev.strata.jobs.cli.StrataCli");
      // the services files of every format are merged, not the last one copied
      String sources;
      try (InputStream in =
          j.getInputStream(
              j.getEntry("META-INF/services/org.apache.spark.sql.sources.DataSourceRegister"))) {
        sources = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(sources)
          .contains(
              "org.apache.spark.sql.delta.sources.DeltaDataSource",
              "org.apache.iceberg.spark.source.IcebergSource",
              "org.apache.hudi.",
              "org.apache.spark.sql.kafka010.KafkaSourceProvider",
              "org.apache.spark.sql.v2.avro.AvroDataSourceV2");
    }
  }

  /**
   * spark-submit of the jobs jar on the stock Spark's jars alone, as a cluster runs it, configured
   * as the deployment configures it: a backfill into an {@code s3a://} warehouse on a real
   * S3-protocol server, then a materialize from it into a TLS-only Redis with an auth token. No key
   * is configured anywhere: the s3a connector's default chain takes the credentials from the
   * container credentials endpoint (the one ECS and EMR give a task role), here a local HTTP server
   * checking the authorization token. The registry and Redis URLs come from the environment. The
   * table must equal a backfill computed here, and Redis its newest rows.
   */
  @Test
  void jobsSubmittedOnStockSparkUseS3WithTheRolesCredentialsAndRedisOverTls() throws Exception {
    String registryUrl = RegistryUrls.embedded(dir.resolve("registry"));
    try (RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      registry.apply(
          FlightsRepository.definitions(FlightsRepository.path()), ApplyOptions.defaults());
    }
    String token = "container-token-" + System.nanoTime();
    AtomicInteger served = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    HttpServer credentials = roleCredentials(token, served, refused);
    String warehouse = "s3a://lake/warehouse";
    Instant start = Instant.parse("2001-01-08T00:00:00Z");
    Instant end = Instant.parse("2001-01-08T12:00:00Z");
    try (S3Server s3 = S3Server.start(dir.resolve("s3"), "lake");
        RedisLauncher redis = RedisLauncher.tls("jobs-redis-token")) {
      Map<String, String> env = new TreeMap<>();
      env.put(
          "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "http://127.0.0.1:" + credentials.getAddress().getPort() + "/role");
      env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN", token);
      env.put("STRATA_REGISTRY_URL", registryUrl);
      env.put("STRATA_REDIS_URL", redis.url());
      String backfill =
          submit(
              "backfill",
              s3,
              env,
              "backfill",
              "origin_delays",
              "--start",
              "2001-01-08",
              "--end",
              "2001-01-08",
              "--warehouse",
              warehouse);
      assertThat(backfill).contains("Backfilled origin_delays v1 for 2001-01-08..2001-01-08");
      String materialize =
          submit(
              "materialize",
              s3,
              env,
              "materialize",
              "origin_delays",
              "--start",
              start.toString(),
              "--end",
              end.toString(),
              "--warehouse",
              warehouse);
      assertThat(materialize).contains("Materialized origin_delays v1");
      assertThat(served.get()).as("credentials served to the jobs").isPositive();
      assertThat(refused.get()).isZero();
      for (String log : List.of(backfill, materialize)) {
        assertThat(log)
            .doesNotContain(S3Server.SECRET_KEY)
            .doesNotContain(token)
            .doesNotContain("jobs-redis-token");
      }

      SparkSession spark = s3.session(Warehouse.of(warehouse));
      try (RegistryStore registry = JdbcRegistryStore.open(registryUrl);
          RedisOnlineStore online = RedisOnlineStore.connect(redis.url())) {
        RunRecord run =
            registry.runs(RunQuery.job(JobKind.BACKFILL)).stream().findFirst().orElseThrow();
        assertThat(run.status()).isEqualTo(RunRecord.Status.COMPLETED);
        OfflineTable table = registry.offlineTable("origin_delays", 1).orElseThrow();
        assertThat(table.table().location()).startsWith(warehouse + "/");
        Dataset<Row> submitted = Tables.read(spark, table.table(), Optional.of(table.snapshot()));
        OfflineStore.BackfillResult here =
            new OfflineStore(spark, registry, Warehouse.local(dir.resolve("local")))
                .backfill(
                    "origin_delays",
                    LocalDate.parse("2001-01-08"),
                    LocalDate.parse("2001-01-08"),
                    TableFormat.DELTA);
        Dataset<Row> reference = Tables.read(spark, here.table(), Optional.empty());
        assertThat(submitted.count()).isEqualTo(here.rows()).isGreaterThan(1_000);
        assertThat(submitted.exceptAll(reference).count()).isZero();
        assertThat(reference.exceptAll(submitted).count()).isZero();

        // Redis holds each airport's newest row in [start, end], found by a loop
        Map<String, Row> newest =
            OnlineReference.latest(reference.collectAsList(), "origin", start, end);
        assertThat(newest).hasSizeGreaterThan(10);
        OnlineReference.assertRedisHolds(
            online, registry.featureView("origin_delays").orElseThrow(), 1, newest, end);
      } finally {
        spark.stop();
      }
    } finally {
      credentials.stop(0);
    }
  }

  /**
   * The container credentials endpoint of a task role: session credentials for S3Server's key, to a
   * request that carries the task's authorization token.
   */
  private static HttpServer roleCredentials(
      String token, AtomicInteger served, AtomicInteger refused) throws IOException {
    HttpServer credentials = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    credentials.createContext(
        "/role",
        exchange -> {
          byte[] body;
          int status;
          if (token.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            served.incrementAndGet();
            status = 200;
            body =
                ("{\"AccessKeyId\":\""
                        + S3Server.ACCESS_KEY
                        + "\",\"SecretAccessKey\":\""
                        + S3Server.SECRET_KEY
                        + "\",\"Token\":\"session-"
                        + token
                        + "\",\"Expiration\":\""
                        + Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS)
                        + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
          } else {
            refused.incrementAndGet();
            status = 403;
            body = "{}".getBytes(StandardCharsets.UTF_8);
          }
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, body.length);
          try (OutputStream o = exchange.getResponseBody()) {
            o.write(body);
          }
        });
    credentials.start();
    return credentials;
  }

  /**
   * {@code strata ARGS} through spark-submit of the jobs jar, with the stock Spark's jars as the
   * whole classpath, the S3 server's endpoint (no credentials) as confs, and {@code env} as the
   * only AWS or Strata environment; returns its log once it exited with 0.
   */
  private static String submit(String name, S3Server s3, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(List.of(System.getProperty("strata.jvm.options").trim().split("\\s+")));
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, sparkJars().stream().map(Path::toString).toList()));
    cmd.addAll(
        List.of(
            "org.apache.spark.deploy.SparkSubmit",
            "--master",
            "local[2]",
            "--class",
            "dev.strata.jobs.cli.StrataCli",
            "--conf",
            "spark.ui.enabled=false",
            "--conf",
            "spark.driver.host=127.0.0.1",
            "--conf",
            "spark.sql.shuffle.partitions=4"));
    s3.endpointConf()
        .forEach(
            (k, v) -> {
              cmd.add("--conf");
              cmd.add(k + "=" + v);
            });
    cmd.add(JOBS_JAR.toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Path log = dir.resolve(name + ".log");
    pb.redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("STRATA_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    assertThat(p.waitFor(8, TimeUnit.MINUTES)).as(name + " finished").isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
