package dev.strata.streaming;

import dev.strata.errors.NotFoundException;
import dev.strata.errors.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process, no ZooKeeper) on free
 * loopback ports, for the tests, the streaming benchmark and the demo. It runs in a child JVM from
 * the Kafka jars that the {@code kafka-broker} module resolves from Maven Central (its {@code
 * target/classpath.txt}), so the broker's own Scala, Jackson and clients never meet Spark's; the
 * storage is formatted first, as {@code kafka-storage.sh format} does.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start()) {
 *   kafka.createTopic("flights", 2);
 *   ... kafka.bootstrap() ...
 * }
 * }</pre>
 */
public final class KafkaBroker implements AutoCloseable {
  /** Where the broker's classpath file is, when not {@code <strata.home>/kafka-broker/target}. */
  public static final String CLASSPATH_PROPERTY = "strata.kafka.classpath";

  private static final Duration STARTUP = Duration.ofSeconds(90);

  private final Path dir;
  private final int port;
  private final Process process;

  private KafkaBroker(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /** Formats a new storage directory and starts a broker on it; waits until it answers. */
  public static KafkaBroker start() {
    try {
      Path dir = Files.createTempDirectory("strata-kafka");
      int port = freePort();
      int controller = freePort();
      Path config = dir.resolve("server.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "process.roles=broker,controller",
              "node.id=1",
              "controller.quorum.voters=1@127.0.0.1:" + controller,
              "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
              "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
              "controller.listener.names=CONTROLLER",
              "inter.broker.listener.name=PLAINTEXT",
              "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
              "log.dirs=" + dir.resolve("data"),
              "num.partitions=1",
              "auto.create.topics.enable=false",
              "offsets.topic.replication.factor=1",
              "offsets.topic.num.partitions=1",
              "transaction.state.log.replication.factor=1",
              "transaction.state.log.min.isr=1",
              "group.initial.rebalance.delay.ms=0",
              "log.flush.interval.messages=1000000",
              ""),
          StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve("log4j.properties"),
          String.join(
              "\n",
              "log4j.rootLogger=WARN, file",
              "log4j.appender.file=org.apache.log4j.FileAppender",
              "log4j.appender.file.File=" + dir.resolve("broker.log"),
              "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
              "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
              ""),
          StandardCharsets.UTF_8);
      String classpath = classpath();
      List<String> formatCommand = command(dir, classpath, "kafka.tools.StorageTool");
      formatCommand.addAll(
          List.of("format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()));
      Process f =
          new ProcessBuilder(formatCommand)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("format.log").toFile())
              .start();
      if (!f.waitFor(60, TimeUnit.SECONDS) || f.exitValue() != 0) {
        f.destroyForcibly();
        throw new IllegalStateException(
            "Cannot format the Kafka broker's storage: "
                + Files.readString(dir.resolve("format.log")).strip());
      }
      List<String> run = command(dir, classpath, "kafka.Kafka");
      run.add(config.toString());
      Process broker =
          new ProcessBuilder(run)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stdout.log").toFile())
              .start();
      KafkaBroker b = new KafkaBroker(dir, port, broker);
      b.awaitReady();
      return b;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start a Kafka broker: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a Kafka broker", e);
    }
  }

  private static List<String> command(Path dir, String classpath, String main) {
    List<String> c = new ArrayList<>();
    c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    c.add("-Xmx512m");
    c.add("-XX:+UseSerialGC");
    c.add("-Dlog4j.configuration=file:" + dir.resolve("log4j.properties"));
    c.add("-cp");
    c.add(classpath);
    c.add(main);
    return c;
  }

  /** {@code 127.0.0.1:port}, for {@code kafka.bootstrap.servers}. */
  public String bootstrap() {
    return "127.0.0.1:" + port;
  }

  /** Creates a topic with {@code partitions} partitions (replication 1). */
  public void createTopic(String name, int partitions) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Cannot create topic " + name + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Admin admin() {
    return admin(bootstrap());
  }

  static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
    return Admin.create(p);
  }

  /**
   * Checks that the broker at {@code bootstrap} answers and has {@code topic}, before a stream
   * starts: Spark's Kafka source would otherwise wait on a wrong address for minutes.
   *
   * @throws UnavailableException when no broker answers within 15 s
   * @throws NotFoundException when the topic does not exist
   */
  public static void requireTopic(String bootstrap, String topic) {
    ask(
        bootstrap,
        "does not answer",
        admin -> {
          Set<String> topics = admin.listTopics().names().get(15, TimeUnit.SECONDS);
          if (!topics.contains(topic)) {
            throw new NotFoundException(
                "Kafka at "
                    + bootstrap
                    + " has no topic '"
                    + topic
                    + "' (topics: "
                    + (topics.isEmpty()
                        ? "none"
                        : String.join(", ", new java.util.TreeSet<>(topics)))
                    + ")");
          }
          return null;
        });
  }

  /** A request to Kafka's admin API. */
  interface AdminCall<T> {
    T apply(Admin admin)
        throws ExecutionException, java.util.concurrent.TimeoutException, InterruptedException;
  }

  /**
   * Asks the brokers at {@code bootstrap}: an error, or no answer in time, is an {@link
   * UnavailableException} that says what the brokers {@code failed} to do.
   */
  static <T> T ask(String bootstrap, String failed, AdminCall<T> call) {
    try (Admin admin = admin(bootstrap)) {
      return call.apply(admin);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new UnavailableException(
          "Kafka at "
              + bootstrap
              + " "
              + failed
              + ": "
              + (e.getCause() == null ? e : e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (org.apache.kafka.common.KafkaException e) {
      throw new UnavailableException("Kafka at " + bootstrap + ": " + e.getMessage());
    }
  }

  private void awaitReady() throws InterruptedException, IOException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "The Kafka broker exited with " + process.exitValue() + ": " + tail());
      }
      if (listening()) {
        try (Admin admin = admin()) {
          admin.describeCluster().nodes().get(20, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          // not ready yet
        }
      }
      Thread.sleep(200);
    }
    close();
    throw new IllegalStateException(
        "The Kafka broker did not answer within " + STARTUP.toSeconds() + " s: " + tail());
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private String tail() throws IOException {
    StringBuilder b = new StringBuilder();
    for (String f : List.of("stdout.log", "broker.log")) {
      Path p = dir.resolve(f);
      if (Files.exists(p)) {
        String text = Files.readString(p);
        b.append(text, Math.max(0, text.length() - 2000), text.length());
      }
    }
    return b.toString().strip();
  }

  /**
   * The broker's classpath: the file that {@value #CLASSPATH_PROPERTY} names, else {@code
   * kafka-broker/target/classpath.txt} under {@code strata.home} or the working directory.
   */
  static String classpath() throws IOException {
    List<Path> candidates = new ArrayList<>();
    String named = System.getProperty(CLASSPATH_PROPERTY);
    if (named != null) {
      candidates.add(Path.of(named));
    }
    String home = System.getProperty("strata.home");
    if (home != null) {
      candidates.add(Path.of(home, "kafka-broker", "target", "classpath.txt"));
    }
    candidates.add(Path.of("kafka-broker", "target", "classpath.txt"));
    candidates.add(Path.of("..", "kafka-broker", "target", "classpath.txt"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p)) {
        return Files.readString(p).strip();
      }
    }
    throw new IllegalStateException(
        "The Kafka broker's jars are not resolved: no "
            + candidates.get(candidates.size() - 2)
            + " (run 'mvn install -DskipTests' in the Strata checkout, or set -D"
            + CLASSPATH_PROPERTY
            + "=FILE)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 10 s) and deletes its storage. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind
    }
  }
}
