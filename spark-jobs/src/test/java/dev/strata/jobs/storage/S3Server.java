package dev.strata.jobs.storage;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import dev.strata.offline.StrataSpark;
import dev.strata.offline.Warehouse;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.SparkSession;

/**
 * A real S3-protocol server for tests: S3Proxy (its self-contained jar, copied by the build) in a
 * child JVM with its own classpath, on a free port, checking signed (v4) requests. It keeps objects
 * in memory (jclouds' transient store): a flat key space like S3's own, where the file-system
 * stores map keys to directories (they turn S3A's directory markers into folders and hang deleting
 * them).
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "strata-test";
  public static final String SECRET_KEY = "strata-test-secret";

  private final Process process;
  private final int port;

  private S3Server(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static S3Server start(Path dir, String... buckets) throws Exception {
    String jar = System.getProperty("strata.s3proxy.jar");
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException(
          "no S3Proxy jar at " + jar + " (the build copies it: mvn generate-test-resources)");
    }
    Files.createDirectories(dir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("s3proxy.conf");
    Files.writeString(
        conf,
        String.join(
                "\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=transient",
                "jclouds.identity=local",
                "jclouds.credential=local")
            + "\n");
    Process p =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx768m",
                    "-jar",
                    jar,
                    "--properties",
                    conf.toString()))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s3proxy.log").toFile())
            .start();
    S3Server server = new S3Server(p, port);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!server.answers()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        server.close();
        throw new IllegalStateException(
            "S3Proxy did not start: " + Files.readString(dir.resolve("s3proxy.log")));
      }
      Thread.sleep(200);
    }
    AmazonS3 client =
        AmazonS3ClientBuilder.standard()
            .withEndpointConfiguration(
                new AwsClientBuilder.EndpointConfiguration(server.endpoint(), "us-east-1"))
            .withPathStyleAccessEnabled(true)
            .withCredentials(
                new AWSStaticCredentialsProvider(new BasicAWSCredentials(ACCESS_KEY, SECRET_KEY)))
            .build();
    try {
      for (String b : buckets) {
        client.createBucket(b);
      }
    } finally {
      client.shutdown();
    }
    return server;
  }

  private boolean answers() {
    try {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
      c.setConnectTimeout(500);
      c.setReadTimeout(2000);
      int code = c.getResponseCode(); // 403 for an unsigned request: it is up
      c.disconnect();
      return code > 0;
    } catch (IOException e) {
      return false;
    }
  }

  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** A local session (2 threads) whose warehouse is {@code warehouse}, on this server. */
  public SparkSession session(Warehouse warehouse) {
    SparkSession.Builder b =
        StrataSpark.configure(SparkSession.builder(), warehouse)
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.sql.shuffle.partitions", "4");
    for (Map.Entry<String, String> e : sparkConf().entrySet()) {
      b = b.config(e.getKey(), e.getValue());
    }
    return b.getOrCreate();
  }

  /** Hadoop's s3a settings for this server, as Spark confs ({@code spark.hadoop.fs.s3a.*}). */
  public Map<String, String> sparkConf() {
    Map<String, String> c = endpointConf();
    c.put("spark.hadoop.fs.s3a.access.key", ACCESS_KEY);
    c.put("spark.hadoop.fs.s3a.secret.key", SECRET_KEY);
    c.put(
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    return c;
  }

  /**
   * Where this server is and how it answers, without credentials: the s3a connector then takes them
   * from its default chain (environment, then the instance's or the container's role).
   */
  public Map<String, String> endpointConf() {
    Map<String, String> c = new TreeMap<>();
    c.put("spark.hadoop.fs.s3a.endpoint", endpoint());
    c.put("spark.hadoop.fs.s3a.path.style.access", "true");
    c.put("spark.hadoop.fs.s3a.connection.ssl.enabled", "false");
    c.put("spark.hadoop.fs.s3a.change.detection.mode", "none");
    // keep directory markers: no bulk delete of parent markers after every write
    c.put("spark.hadoop.fs.s3a.directory.marker.retention", "keep");
    c.put("spark.hadoop.fs.s3a.attempts.maximum", "3");
    c.put("spark.hadoop.fs.s3a.retry.limit", "3");
    return c;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
