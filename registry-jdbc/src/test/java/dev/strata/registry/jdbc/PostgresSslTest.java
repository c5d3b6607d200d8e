package dev.strata.registry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.registry.ApplyOptions;
import dev.strata.registry.Fixtures;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The registry on PostgreSQL over SSL, as RDS runs it with {@code rds.force_ssl}: a PostgreSQL
 * server of the test's own (the machine's binaries, {@code initdb} as the {@code postgres} user)
 * with a certificate signed by a CA made here, and a {@code pg_hba.conf} that admits SSL
 * connections only. The registry works with {@code sslmode=verify-full}; without SSL, or trusting
 * another CA, it is refused with a clear message.
 *
 * <p>It needs the PostgreSQL binaries and root (to run them as {@code postgres}); where either is
 * missing it is skipped, unless {@code STRATA_REQUIRE_POSTGRES=true} (as {@code .ci/run} sets it).
 */
class PostgresSslTest {
  @Test
  void theRegistryWorksOverVerifiedSslOnlyAndNotWithoutIt() throws Exception {
    Path bin = binaries();
    Path dir = Files.createTempDirectory("strata-pg-ssl");
    int port = freePort();
    Path data = dir.resolve("data");
    try {
      certificates(dir);
      run(dir, "chown", "-R", "postgres", dir.toString());
      run(dir, "chmod", "700", dir.toString());
      run(dir, "chmod", "600", dir.resolve("server.key").toString());
      asPostgres(
          dir,
          bin.resolve("initdb").toString(),
          "-D",
          data.toString(),
          "-A",
          "trust",
          "-U",
          "postgres",
          "--no-sync");
      Files.writeString(
          data.resolve("pg_hba.conf"),
          String.join(
              "\n",
              "local all all trust",
              "hostssl all all 127.0.0.1/32 trust",
              "hostnossl all all 127.0.0.1/32 reject",
              ""),
          StandardCharsets.UTF_8);
      run(dir, "chown", "postgres", data.resolve("pg_hba.conf").toString());
      asPostgres(
          dir,
          bin.resolve("pg_ctl").toString(),
          "-D",
          data.toString(),
          "-l",
          dir.resolve("server.log").toString(),
          "-w",
          "-o",
          "-p "
              + port
              + " -c listen_addresses=127.0.0.1 -c unix_socket_directories="
              + dir
              + " -c ssl=on -c ssl_cert_file="
              + dir.resolve("server.pem")
              + " -c ssl_key_file="
              + dir.resolve("server.key")
              + " -c fsync=off",
          "start");

      String base = "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
      String verified = base + "&sslmode=verify-full&sslrootcert=" + dir.resolve("ca.pem");
      long revision;
      try (JdbcRegistryStore store = JdbcRegistryStore.open(verified)) {
        store.apply(Fixtures.repository(), ApplyOptions.defaults());
        revision = store.revision();
        assertThat(revision).isPositive();
      }
      // the same registry, read again over SSL: it kept what was applied
      try (JdbcRegistryStore store = JdbcRegistryStore.open(verified)) {
        assertThat(store.revision()).isEqualTo(revision);
        assertThat(store.list(dev.strata.dsl.ObjectKind.FEATURE_VIEW)).isNotEmpty();
      }
      assertThatThrownBy(() -> JdbcRegistryStore.open(base + "&sslmode=disable").close())
          .hasMessageContaining("no encryption");
      assertThatThrownBy(
              () ->
                  JdbcRegistryStore.open(
                          base + "&sslmode=verify-full&sslrootcert=" + dir.resolve("other-ca.pem"))
                      .close())
          .hasMessageContaining("SSL");
    } finally {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        asPostgres(
            dir,
            bin.resolve("pg_ctl").toString(),
            "-D",
            data.toString(),
            "-m",
            "immediate",
            "stop");
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The newest PostgreSQL's binaries of the machine, and root to run them as postgres. */
  private static Path binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    Path bin = null;
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        bin =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")))
                .max(
                    Comparator.comparing(
                        b ->
                            Integer.parseInt(
                                b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                .orElse(null);
      }
    }
    boolean root0 = "root".equals(System.getProperty("user.name"));
    if (bin == null || !root0) {
      String why =
          bin == null
              ? "no PostgreSQL binaries under " + root
              : "not root: cannot run them as postgres";
      if ("true".equalsIgnoreCase(System.getenv("STRATA_REQUIRE_POSTGRES"))) {
        throw new IllegalStateException(why);
      }
      Assumptions.abort(why);
    }
    return bin;
  }

  /** A CA, a certificate for 127.0.0.1 it signed, and a second CA that signed nothing. */
  private static void certificates(Path dir) throws Exception {
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=strata-test-ca");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other-ca.key",
        "-out",
        "other-ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=another-ca");
    run(
        dir,
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1");
    run(
        dir,
        "openssl",
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "san.cnf");
  }

  private static void asPostgres(Path dir, String... command) throws Exception {
    List<String> c = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
    c.addAll(List.of(command));
    run(dir, c.toArray(String[]::new));
  }

  private static void run(Path dir, String... command) throws Exception {
    Path log = Files.createTempFile("strata-pg-ssl", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed: " + Files.readString(log));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
