package dev.strata.online;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/** TLS to Redis with a CA of one's own ({@code rediss://...?cacert=PATH}). */
final class RedisTls {
  private RedisTls() {}

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
