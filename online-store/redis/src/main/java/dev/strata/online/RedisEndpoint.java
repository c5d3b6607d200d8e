package dev.strata.online;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.HostAndPort;

/**
 * Where the online store is, parsed from a URL and checked at once, so that a bad URL is an error
 * before any job starts: {@code redis://[[user]:password@]host[:port][/db]} (a single server),
 * {@code rediss://...} (the same over TLS), {@code
 * redis-cluster://[[user]:password@]host:port,host:port} and {@code rediss-cluster://...}. A TLS
 * URL may end in {@code ?cacert=PATH}: a PEM file of the CA that signed the server's certificate,
 * when that is not one the JVM trusts. The password never appears in {@link #toString()}.
 *
 * <pre>{@code
 * RedisEndpoint e = RedisEndpoint.parse("redis://:s3cret@10.0.0.5:6379/0");
 * e.masked();  // "redis://:***@10.0.0.5:6379/0"
 * }</pre>
 */
public record RedisEndpoint(
    boolean cluster,
    boolean tls,
    List<HostAndPort> nodes,
    String user,
    String password,
    int database,
    String caCert,
    String masked) {
  public RedisEndpoint {
    nodes = List.copyOf(nodes);
  }

  /** Parses and checks a Redis URL; an {@link IllegalArgumentException} says what is wrong. */
  public static RedisEndpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException(
          "the Redis URL is empty (redis://host:port or redis-cluster://host:port,...)");
    }
    int sep = url.indexOf("://");
    String scheme = sep < 0 ? "" : url.substring(0, sep);
    boolean cluster = scheme.equals("redis-cluster") || scheme.equals("rediss-cluster");
    boolean tls = scheme.equals("rediss") || scheme.equals("rediss-cluster");
    if (!cluster && !tls && !scheme.equals("redis")) {
      throw new IllegalArgumentException(
          "not a Redis URL: '"
              + maskAny(url)
              + "' (redis://[:password@]host:port, rediss://... for TLS, or redis-cluster://host:port,host:port)");
    }
    String rest = url.substring(sep + 3);
    String caCert = null;
    int question = rest.indexOf('?');
    if (question >= 0) {
      for (String param : rest.substring(question + 1).split("&")) {
        int eq = param.indexOf('=');
        String key = eq < 0 ? param : param.substring(0, eq);
        if (!key.equals("cacert") || eq < 0 || eq == param.length() - 1) {
          throw new IllegalArgumentException(
              "the Redis URL '"
                  + maskAny(url)
                  + "' has parameter '"
                  + key
                  + "': the only one is cacert=PATH (a PEM file of the CA that signed the"
                  + " server's TLS certificate)");
        }
        caCert = decode(param.substring(eq + 1));
      }
      if (!tls) {
        throw new IllegalArgumentException(
            "the Redis URL '"
                + maskAny(url)
                + "' names a CA certificate but is not TLS (rediss://)");
      }
      rest = rest.substring(0, question);
    }
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String info = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
      if (colon < 0) {
        // redis://secret@host is the password alone, as redis-cli reads it
        password = user;
        user = null;
      }
      user = user == null || user.isEmpty() ? null : user;
    }
    int database = 0;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String db = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
      if (!db.isEmpty()) {
        try {
          database = Integer.parseInt(db);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "the Redis URL '"
                  + maskAny(url)
                  + "' names database '"
                  + db
                  + "'; it must be a number");
        }
        if (cluster && database != 0) {
          throw new IllegalArgumentException(
              "a Redis cluster has only database 0: '" + maskAny(url) + "'");
        }
      }
    }
    List<HostAndPort> nodes = new ArrayList<>();
    for (String hp : rest.split(",")) {
      nodes.add(hostAndPort(hp, url));
      if (!cluster && nodes.size() > 1) {
        throw new IllegalArgumentException(
            "'" + maskAny(url) + "' lists several servers; use redis-cluster:// for a cluster");
      }
    }
    String masked =
        scheme
            + "://"
            + (at < 0 ? "" : (user == null ? "" : user) + (password == null ? "" : ":***") + "@")
            + rest
            + (slash >= 0 ? "/" + database : "")
            + (caCert == null ? "" : "?cacert=" + caCert);
    return new RedisEndpoint(cluster, tls, nodes, user, password, database, caCert, masked);
  }

  private static HostAndPort hostAndPort(String hp, String url) {
    try {
      URI u = new URI("redis://" + hp);
      if (u.getHost() == null || u.getHost().isEmpty()) {
        throw new URISyntaxException(hp, "no host");
      }
      return new HostAndPort(u.getHost(), u.getPort() < 0 ? 6379 : u.getPort());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "the Redis URL '" + maskAny(url) + "' has no valid host:port in '" + hp + "'");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** A URL with anything between {@code ://} and {@code @} masked: for messages about bad URLs. */
  public static String maskAny(String url) {
    return url.replaceAll("(://)[^/@]*@", "$1***@");
  }

  /**
   * Which online store this is, without credentials: {@code redis://host:port[/db]} or {@code
   * redis-cluster://host:port,...} (nodes sorted). Watermarks are kept per identity, so a run into
   * one Redis never moves the watermark of another.
   */
  public String identity() {
    List<String> hosts = new ArrayList<>();
    nodes.forEach(n -> hosts.add(n.getHost() + ":" + n.getPort()));
    if (cluster) {
      java.util.Collections.sort(hosts);
      return "redis-cluster://" + String.join(",", hosts);
    }
    return "redis://" + hosts.get(0) + (database == 0 ? "" : "/" + database);
  }

  @Override
  public String toString() {
    return masked;
  }
}
