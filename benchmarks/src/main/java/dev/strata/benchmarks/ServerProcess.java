package dev.strata.benchmarks;

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
import java.util.Random;
import java.util.StringJoiner;

/**
 * The feature server under load, for the serving benchmarks: its jar started in a JVM of its own on
 * a free port, and the request bodies they send (every feature of the profile view for one random
 * user each).
 */
final class ServerProcess {
  private ServerProcess() {}

  /** The JSON list of the profile view's features. */
  static String featureNames() {
    StringJoiner names = new StringJoiner("\",\"", "[\"", "\"]");
    for (int f = 0; f < OnlineBenchmark.FEATURES; f++) {
      names.add("profile:f" + f);
    }
    return names.toString();
  }

  /** 2,000 request bodies for every feature of one random entity each. */
  static List<String> singleRequests(int entities, Random rnd) {
    String names = featureNames();
    List<String> single = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      single.add(
          "{\"features\":"
              + names
              + ",\"entities\":{\"user_id\":["
              + rnd.nextInt(entities)
              + "]}}");
    }
    return single;
  }

  /** The GC pauses in a server's GC log ({@code LOG.gc}): how many, and their milliseconds. */
  record Pauses(int count, double millis) {}

  static Pauses pauses(Path log) throws IOException {
    Path gc = Path.of(log + ".gc");
    int n = 0;
    double ms = 0;
    if (Files.exists(gc)) {
      java.util.regex.Pattern pause = java.util.regex.Pattern.compile(" Pause .* ([0-9.]+)ms$");
      for (String line : Files.readAllLines(gc)) {
        java.util.regex.Matcher m = pause.matcher(line);
        if (m.find()) {
          n++;
          ms += Double.parseDouble(m.group(1));
        }
      }
    }
    return new Pauses(n, ms);
  }

  static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts the server jar in its own JVM (-Xmx1g, ParallelGC) on {@code port} with {@code settings}
   * added, and returns once it is healthy.
   */
  static Process startServer(
      Path serverJar, String redisUrl, String registryUrl, int port, Path log, String... settings)
      throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "java",
                "-Xmx1g",
                "-XX:+UseParallelGC",
                "-Xlog:gc:file=" + log + ".gc",
                "-jar",
                serverJar.toString(),
                "--server.port=" + port,
                "--strata.redis-url=" + redisUrl,
                "--strata.registry-url=" + registryUrl));
    command.addAll(List.of(settings));
    Process server =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      awaitHealthy(port, server, log);
    } catch (Exception e) {
      server.destroyForcibly();
      throw e;
    }
    return server;
  }

  private static void awaitHealthy(int port, Process server, Path log) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("the server stopped: " + Files.readString(log));
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the server did not become healthy in 90 s");
  }

  static void checkAnswer(int port, String body) throws Exception {
    LoadGenerator.HttpClient c =
        new LoadGenerator.HttpClient("127.0.0.1", port, "/v1/features/online", List.of(body));
    c.call(0);
    c.close();
    if (!c.lastBody.contains("\"PRESENT\"")) {
      throw new IllegalStateException(
          "the server does not serve the materialized values: " + c.lastBody);
    }
  }
}
