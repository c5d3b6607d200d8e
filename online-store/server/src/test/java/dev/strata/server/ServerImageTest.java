package dev.strata.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.security.auth.module.UnixSystem;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.jdbc.RegistryUrls;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's container image as Jib builds it (on a stand-in base without a JRE: see the pom),
 * unpacked layer by layer and run as the image says: its entrypoint, with the build's java in place
 * of the base's, as the image's user (1000, never root), configured by the environment alone as the
 * ECS task configures it. It must come up healthy and serve the values in Redis.
 */
class ServerImageTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theImageServesAsItsOwnNonRootUser() throws Exception {
    Path image = Path.of(System.getProperty("strata.server.image"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path unpacked = Files.createDirectories(dir.resolve("image"));
    tar("-xf", image.toString(), "-C", unpacked.toString());
    JsonNode manifest = JSON.readTree(unpacked.resolve("manifest.json").toFile()).get(0);
    JsonNode config =
        JSON.readTree(unpacked.resolve(manifest.get("Config").asText()).toFile()).get("config");
    assertThat(config.get("User").asText()).isEqualTo("1000:1000");
    assertThat(config.get("ExposedPorts").has("8080/tcp")).isTrue();
    List<String> entrypoint = new ArrayList<>();
    config.get("Entrypoint").forEach(a -> entrypoint.add(a.asText()));
    assertThat(entrypoint).startsWith("java").endsWith("dev.strata.server.StrataServer");

    // the file system the container sees: every layer, in order
    Path root = Files.createDirectories(dir.resolve("root"));
    for (JsonNode layer : manifest.get("Layers")) {
      tar("-xzf", unpacked.resolve(layer.asText()).toString(), "-C", root.toString());
    }
    List<String> command = new ArrayList<>();
    int uid = (int) new UnixSystem().getUid();
    if (uid == 0) {
      // as the image's user, as a container runtime starts it
      command.addAll(List.of("setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--"));
    }
    for (String arg : entrypoint) {
      if (arg.equals("java")) {
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      } else if (arg.startsWith("@/")) {
        // Jib's classpath file names /app/...: the same files, below the unpacked root
        String classpath = Files.readString(root.resolve(arg.substring(2))).trim();
        Path moved = dir.resolve("jib-classpath-file");
        Files.writeString(
            moved,
            Arrays.stream(classpath.split(":"))
                .map(e -> root + e)
                .collect(Collectors.joining(":")));
        command.add("@" + moved);
      } else {
        command.add(arg);
      }
    }

    // the registry the server reads, where the image's user may write (H2 keeps a lock file)
    Path registryDir = Files.createDirectories(dir.resolve("registry"));
    String registry = RegistryUrls.embedded(registryDir);
    try (RedisLauncher redis = RedisLauncher.single()) {
      FeatureServerTest.seed(registry, redis.url());
      try (Stream<Path> files = Files.walk(registryDir)) {
        for (Path f : files.toList()) {
          Files.setPosixFilePermissions(
              f, PosixFilePermissions.fromString(Files.isDirectory(f) ? "rwxrwxrwx" : "rw-rw-rw-"));
        }
      }
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = dir.resolve("server.log");
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.redirectOutput(log.toFile());
      pb.directory(root.toFile());
      pb.environment().clear();
      config
          .get("Env")
          .forEach(
              e -> pb.environment().put(e.asText().split("=", 2)[0], e.asText().split("=", 2)[1]));
      pb.environment().put("STRATA_REDISURL", redis.url());
      pb.environment().put("STRATA_REGISTRYURL", registry);
      pb.environment().put("SERVER_PORT", Integer.toString(port));
      Process server = pb.start();
      try {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;
        HttpResponse<String> health = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && server.isAlive()) {
          try {
            health =
                http.send(
                    HttpRequest.newBuilder(URI.create(base + "/actuator/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (health.statusCode() == 200) {
              break;
            }
          } catch (IOException notYet) {
            // not listening yet
          }
          Thread.sleep(250);
        }
        assertThat(health).as(Files.readString(log)).isNotNull();
        assertThat(health.statusCode()).as(Files.readString(log)).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");

        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/features/online"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"features\": [\"origin_delays:avg_delay_1d\"],"
                                + " \"entities\": {\"origin\": [\"ATL\"]}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonNode atl = JSON.readTree(answer.body()).get("rows").get(0);
        assertThat(atl.get("statuses").get(0).asText()).isEqualTo("PRESENT");
        assertThat(atl.get("values").get(0).asDouble()).isEqualTo(2.5);

        // the process serving is the image's user's, not root's
        String status = Files.readString(Path.of("/proc", Long.toString(server.pid()), "status"));
        String uids = status.lines().filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow();
        assertThat(uids.split("\\s+")[1]).isEqualTo(uid == 0 ? "1000" : Integer.toString(uid));
        assertThat(uids.split("\\s+")[1]).isNotEqualTo("0");
        assertThat(Files.readString(log)).doesNotContain(redis.url());
      } finally {
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
  }

  private static void tar(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("tar", "--warning=no-unknown-keyword"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
  }
}
