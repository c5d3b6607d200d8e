package dev.strata.online;

import dev.strata.errors.InvalidInputException;
import dev.strata.errors.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.exceptions.JedisException;

/**
 * How clients reach Redis: the connection settings of a URL (timeouts, credentials, TLS that checks
 * the server's host name, a CA of one's own with {@code rediss://...?cacert=PATH}), and the
 * one-line errors for credentials that Redis refuses.
 */
final class RedisClients {
  private RedisClients() {}

  /** A client's settings for {@code endpoint}, with {@code millis} to connect and per read. */
  static DefaultJedisClientConfig config(RedisEndpoint endpoint, int millis) {
    DefaultJedisClientConfig.Builder builder =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis)
            .user(endpoint.user())
            .password(endpoint.password())
            .database(endpoint.database())
            .ssl(endpoint.tls());
    if (endpoint.tls()) {
      // the server's certificate must name the host connected to (Jedis checks only the chain)
      SSLParameters tls = new SSLParameters();
      tls.setEndpointIdentificationAlgorithm("HTTPS");
      builder = builder.sslParameters(tls);
    }
    if (endpoint.caCert() != null) {
      builder = builder.sslSocketFactory(trusting(Path.of(endpoint.caCert())));
    }
    return builder.build();
  }

  /**
   * The clear error for a refusal of the URL's credentials, or null when {@code e} is another
   * failure.
   */
  static RuntimeException credentialsRefused(String masked, JedisException e, Throwable cause) {
    return switch (RedisOnlineStore.failure(e)) {
      case NO_PASSWORD ->
          new InvalidInputException(
              "Redis at "
                  + masked
                  + " needs a password: give it in the URL, redis://:PASSWORD@host:port",
              cause);
      case WRONG_CREDENTIALS ->
          new InvalidInputException(
              "Redis at " + masked + " refused the credentials of the URL: " + e.getMessage(),
              cause);
      default -> null;
    };
  }

  /**
   * Why a cluster's nodes did not let the client in (JedisCluster connects in its constructor and
   * keeps each node's answer as a suppressed exception): the credentials, or no node reachable.
   */
  static RuntimeException clusterRefused(RedisEndpoint endpoint, RuntimeException e) {
    for (Throwable s : e.getSuppressed()) {
      if (s instanceof JedisException j) {
        RuntimeException refused = credentialsRefused(endpoint.masked(), j, e);
        if (refused != null) {
          return refused;
        }
      }
    }
    return new UnavailableException(
        "Redis at " + endpoint.masked() + " cannot be reached: " + e.getMessage(), e);
  }

  /**
   * Sockets that trust the certificates in the PEM file {@code caCert} (and no others), checking
   * the server's host name as the JVM's default does.
   */
  static SSLSocketFactory trusting(Path caCert) {
    try (InputStream in = Files.newInputStream(caCert)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("no certificate in the Redis CA file " + caCert);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the Redis CA file " + caCert + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "the Redis CA file " + caCert + " holds no usable certificate: " + e.getMessage(), e);
    }
  }
}
