package dev.strata.jobs.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The feature server (the Spring Boot jar of {@code online-store/server}) as a child process on a
 * free loopback port, started by the quickstart and by tests that check what Spark jobs wrote
 * through the REST API. The Spark modules never link Spring: they only run the jar.
 */
public final class FeatureServerProcess implements AutoCloseable {
  /** Where the reactor build puts the jar, relative to the repository root. */
  public static final String JAR =
      "online-store/server/target/strata-feature-server-0.1.0-SNAPSHOT-exec.jar";

  private final Process process;
  private final String base;
  private final Path log;
  private final HttpClient http = HttpClient.newHttpClient();

  private FeatureServerProcess(Process process, String base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /** The jar named by the {@code strata.server.jar} property, else {@link #JAR}. */
  public static Path jar() {
    return Path.of(System.getProperty("strata.server.jar", JAR));
  }

  /**
   * Starts the server on Redis {@code redisUrl} and the registry at {@code registryUrl}, writing
   * its output to {@code log}, and returns once its health endpoint answers 200.
   */
  public static FeatureServerProcess start(String redisUrl, String registryUrl, Path log)
      throws Exception {
    return start(redisUrl, registryUrl, log, List.of());
  }

  /**
   * As {@link #start(String, String, Path)}, with more server settings, e.g. {@code
   * --strata.feature-log.dir=DIR}.
   */
  public static FeatureServerProcess start(
      String redisUrl, String registryUrl, Path log, List<String> settings) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of("--strata.redis-url=" + redisUrl, "--strata.registry-url=" + registryUrl));
    all.addAll(settings);
    return launch(all, java.util.Map.of(), log);
  }

  /**
   * Starts the server configured by its environment alone, as a deployment does (Spring's names:
   * {@code STRATA_REDISURL}, {@code STRATA_REGISTRYURL}, ...), so that no URL with a password
   * stands on its command line.
   */
  public static FeatureServerProcess startWithEnvironment(
      java.util.Map<String, String> environment, Path log) throws Exception {
    return launch(List.of(), environment, log);
  }

  private static FeatureServerProcess launch(
      List<String> settings, java.util.Map<String, String> environment, Path log) throws Exception {
    Path jar = jar();
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          "the feature server jar "
              + jar
              + " is not built: run 'mvn install -DskipTests'"
              + " (./strata does it)");
    }
    Files.createDirectories(log.toAbsolutePath().getParent());
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "--server.port=" + port,
                "--server.address=127.0.0.1"));
    command.addAll(settings);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process p = builder.start();
    FeatureServerProcess server = new FeatureServerProcess(p, "http://127.0.0.1:" + port, log);
    try {
      server.awaitHealthy(Duration.ofSeconds(120));
    } catch (Exception e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** The server's JVM. */
  public Process process() {
    return process;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return base;
  }

  public Path log() {
    return log;
  }

  /** POSTs a JSON body to {@code path} and returns the answer. */
  public HttpResponse<String> post(String path, String json)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the feature server stopped; its log: " + log);
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(300);
    }
    throw new IllegalStateException(
        "the feature server did not become healthy in "
            + timeout.toSeconds()
            + " s; its log: "
            + log);
  }

  /** Stops the server: SIGTERM (it closes its served-feature log), then SIGKILL after 20 s. */
  @Override
  public synchronized void close() {
    process.destroy();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.destroyForcibly();
  }
}
