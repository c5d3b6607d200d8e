package dev.strata.online;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;

/**
 * Starts real Redis servers for tests and the quickstart, on free loopback ports: one server, or a
 * cluster of three masters. The binary is the redis-server that the embedded-redis artifact ships
 * (Linux x86-64), else the system's {@code redis-server}; nothing is installed by hand.
 *
 * <pre>{@code
 * try (RedisLauncher redis = RedisLauncher.single()) {
 *   RedisOnlineStore store = RedisOnlineStore.connect(redis.url());
 * }
 * }</pre>
 */
public final class RedisLauncher implements AutoCloseable {
  private static final String BUNDLED = "redis-server-6.2.6-v5-linux-amd64";

  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final Path dir;
  private final boolean cluster;
  private final String password;
  private final boolean tls;

  private RedisLauncher(boolean cluster, String password, boolean tls) throws IOException {
    this.cluster = cluster;
    this.password = password;
    this.tls = tls;
    this.dir = Files.createTempDirectory("strata-redis");
  }

  public static RedisLauncher single() {
    return start(false, null);
  }

  /** A single server that requires {@code password} ({@code requirepass}). */
  public static RedisLauncher single(String password) {
    return start(false, password);
  }

  public static RedisLauncher cluster() {
    return start(true, null);
  }

  /**
   * A single server that speaks TLS only, with a certificate for 127.0.0.1 signed by a CA made here
   * with the JDK's keytool ({@link #caCert()}), and requires {@code password}.
   */
  public static RedisLauncher tls(String password) {
    return start(false, password, true);
  }

  /** As {@link #tls}, a cluster of three masters: TLS for clients and for the cluster bus. */
  public static RedisLauncher clusterTls(String password) {
    return start(true, password, true);
  }

  private static RedisLauncher start(boolean cluster, String password) {
    return start(cluster, password, false);
  }

  private static RedisLauncher start(boolean cluster, String password, boolean tls) {
    try {
      RedisLauncher l = new RedisLauncher(cluster, password, tls);
      if (tls) {
        l.certificates();
      }
      Path binary = l.binary();
      for (int i = 0; i < (cluster ? 3 : 1); i++) {
        l.startNode(binary);
      }
      if (cluster) {
        l.formCluster();
      }
      return l;
    } catch (IOException e) {
      throw new IllegalStateException("Cannot start redis-server: " + e.getMessage(), e);
    }
  }

  /** The PEM file of the CA that signed a TLS server's certificate. */
  public Path caCert() {
    return dir.resolve("ca.pem");
  }

  /**
   * {@code redis://[:password@]127.0.0.1:port}, {@code rediss://...?cacert=PATH} for a TLS server,
   * or {@code redis-cluster://127.0.0.1:p1,...}.
   */
  public String url() {
    if (tls) {
      List<String> nodes = new ArrayList<>();
      ports.forEach(p -> nodes.add("127.0.0.1:" + p));
      return (cluster ? "rediss-cluster://" : "rediss://")
          + (password == null ? "" : ":" + password + "@")
          + String.join(",", nodes)
          + "?cacert="
          + caCert();
    }
    if (!cluster) {
      return "redis://"
          + (password == null ? "" : ":" + password + "@")
          + "127.0.0.1:"
          + ports.get(0);
    }
    List<String> nodes = new ArrayList<>();
    ports.forEach(p -> nodes.add("127.0.0.1:" + p));
    return "redis-cluster://" + String.join(",", nodes);
  }

  public List<Integer> ports() {
    return List.copyOf(ports);
  }

  /** Stops the server(s) abruptly, e.g. to test what clients do while Redis is away. */
  public void kill() {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      try {
        p.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Freezes the server(s) with SIGSTOP: connections stay open and nothing answers. */
  public void pause() {
    signal("-STOP");
  }

  /** Lets paused server(s) run again (SIGCONT). */
  public void resume() {
    signal("-CONT");
  }

  private void signal(String signal) {
    for (Process p : processes) {
      try {
        new ProcessBuilder("kill", signal, Long.toString(p.pid())).inheritIO().start().waitFor();
      } catch (IOException e) {
        throw new IllegalStateException("cannot signal redis-server: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Starts a killed single server again on its port (its data is gone: nothing is saved). */
  public void restart() {
    if (cluster) {
      throw new UnsupportedOperationException("restart is for a single server");
    }
    kill();
    try {
      int port = ports.remove(0);
      processes.clear();
      startNode(binary(), port);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot restart redis-server: " + e.getMessage(), e);
    }
  }

  private Path binary() throws IOException {
    String os = System.getProperty("os.name", "").toLowerCase();
    String arch = System.getProperty("os.arch", "");
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      try (InputStream in = RedisLauncher.class.getClassLoader().getResourceAsStream(BUNDLED)) {
        if (in != null) {
          Path bin = dir.resolve("redis-server");
          Files.copy(in, bin, StandardCopyOption.REPLACE_EXISTING);
          bin.toFile().setExecutable(true);
          return bin;
        }
      }
    }
    for (String p : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(p, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IOException(
        "no redis-server: neither the bundled one (Linux x86-64) nor one on PATH");
  }

  /**
   * A CA and a certificate for 127.0.0.1 it signed, made with the JDK's keytool in this launcher's
   * dir (nothing but the JDK is needed); the server's key is written out as PKCS#8 PEM for Redis.
   */
  private void certificates() throws IOException {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    String pass = "strata-test";
    List<String> store = List.of("-storetype", "PKCS12", "-storepass", pass);
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=strata-test-ca",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        "ca.p12",
        store.get(0),
        store.get(1),
        store.get(2),
        store.get(3));
    run(
        keytool,
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        pass,
        "-file",
        "ca.pem");
    run(
        keytool,
        "-genkeypair",
        "-alias",
        "server",
        "-keyalg",
        "RSA",
        "-keysize",
        "2048",
        "-dname",
        "CN=127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        "server.p12",
        store.get(0),
        store.get(1),
        store.get(2),
        store.get(3));
    run(
        keytool,
        "-certreq",
        "-alias",
        "server",
        "-keystore",
        "server.p12",
        "-storepass",
        pass,
        "-file",
        "server.csr");
    run(
        keytool,
        "-gencert",
        "-alias",
        "ca",
        "-keystore",
        "ca.p12",
        "-storepass",
        pass,
        "-infile",
        "server.csr",
        "-outfile",
        "server.pem",
        "-rfc",
        "-ext",
        "san=ip:127.0.0.1,dns:localhost",
        "-validity",
        "2");
    try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
      java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
      ks.load(in, pass.toCharArray());
      byte[] key = ks.getKey("server", pass.toCharArray()).getEncoded();
      Files.writeString(
          dir.resolve("server.key"),
          "-----BEGIN PRIVATE KEY-----\n"
              + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key)
              + "\n-----END PRIVATE KEY-----\n");
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot read the test server's key: " + e.getMessage(), e);
    }
  }

  private void run(String... command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("keytool.log").toFile())
            .start();
    try {
      if (p.waitFor() != 0) {
        throw new IOException(
            String.join(" ", command) + " failed: " + Files.readString(dir.resolve("keytool.log")));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private void startNode(Path binary) throws IOException {
    startNode(binary, freePort());
  }

  private void startNode(Path binary, int port) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--port",
                tls ? "0" : Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()));
    if (cluster) {
      cmd.addAll(
          List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf"));
    }
    if (password != null) {
      cmd.addAll(List.of("--requirepass", password));
    }
    if (tls) {
      cmd.addAll(
          List.of(
              "--tls-port", Integer.toString(port),
              "--tls-cert-file", dir.resolve("server.pem").toString(),
              "--tls-key-file", dir.resolve("server.key").toString(),
              "--tls-ca-cert-file", caCert().toString(),
              "--tls-auth-clients", "no"));
      if (cluster) {
        cmd.addAll(List.of("--tls-cluster", "yes"));
      }
    }
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis-" + port + ".log").toFile())
            .start();
    processes.add(p);
    ports.add(port);
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      try (Jedis j = client(port)) {
        if ("PONG".equals(j.ping())) {
          return;
        }
      } catch (RuntimeException e) {
        if (System.currentTimeMillis() > deadline || !p.isAlive()) {
          throw new IOException(
              "redis-server on port "
                  + port
                  + " did not start: "
                  + Files.readString(dir.resolve("redis-" + port + ".log")),
              e);
        }
      }
      sleep(50);
    }
  }

  /** A connection to one node, over TLS and authenticated where the servers want it. */
  private Jedis client(int port) {
    var config = redis.clients.jedis.DefaultJedisClientConfig.builder().password(password);
    if (tls) {
      config = config.ssl(true).sslSocketFactory(RedisClients.trusting(caCert()));
    }
    return new Jedis(new redis.clients.jedis.HostAndPort("127.0.0.1", port), config.build());
  }

  private void formCluster() throws IOException {
    int[][] ranges = {{0, 5460}, {5461, 10922}, {10923, 16383}};
    for (int i = 0; i < 3; i++) {
      try (Jedis j = client(ports.get(i))) {
        // ADDSLOTS, not ADDSLOTSRANGE: the bundled Redis is 6.2
        j.clusterAddSlots(
            java.util.stream.IntStream.rangeClosed(ranges[i][0], ranges[i][1]).toArray());
        if (i > 0) {
          j.clusterMeet("127.0.0.1", ports.get(0));
        }
      }
    }
    long deadline = System.currentTimeMillis() + 20_000;
    for (int port : ports) {
      while (true) {
        try (Jedis j = client(port)) {
          String info = j.clusterInfo();
          if (info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3")) {
            break;
          }
        }
        if (System.currentTimeMillis() > deadline) {
          throw new IOException("the Redis cluster did not form");
        }
        sleep(100);
      }
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temp directory left behind is harmless
    }
  }
}
