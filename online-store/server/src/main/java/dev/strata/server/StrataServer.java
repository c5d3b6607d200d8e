package dev.strata.server;

import dev.strata.errors.StrataException;
import dev.strata.online.RedisEndpoint;
import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.security.servlet.SecurityFilterAutoConfiguration;
import org.springframework.boot.autoconfigure.security.servlet.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The REST feature server: online feature vectors from Redis, definitions and lineage from the
 * registry. No Spark on its classpath.
 *
 * <p>Settings ({@code strata.*}, e.g. {@code --strata.redis-url=redis://host:6379}): the registry
 * JDBC URL, the Redis URL, the most entity rows per request, and API keys with roles.
 */
// API keys, no users; the security filter is registered by ServerSecurity, not by Boot
@SpringBootApplication(
    exclude = {UserDetailsServiceAutoConfiguration.class, SecurityFilterAutoConfiguration.class})
@EnableConfigurationProperties(StrataServer.Settings.class)
public class StrataServer {
  public static void main(String[] args) {
    SpringApplication.run(StrataServer.class, args);
  }

  /**
   * @param registryUrl the registry database (default: the embedded one in .strata/registry)
   * @param redisUrl redis://host:port or redis-cluster://host:port,...
   * @param maxRows the most entity rows one request may ask for
   * @param apiKeys API key to role: read, write or admin; kept only as SHA-256 hashes ({@link
   *     ApiKeys})
   * @param keyedReads whether reads need a key too (role read or more)
   * @param maxBodyBytes the largest request body; larger ones are refused (413) before parsing
   * @param requestDeadline how long a request may wait for Redis before it answers 503
   * @param maxFutureSkew how far past the server's clock a pushed event time may lie
   * @param bodyTimeout how long a client may take to send a request body (then 408)
   * @param redisPoolSize connections to Redis (per node on a cluster): enough that concurrent
   *     requests wait for the CPU, not for a connection and then the deadline
   * @param featureLog the served-feature log ({@link FeatureLog}); off unless a directory is set
   */
  @ConfigurationProperties("strata")
  public record Settings(
      String registryUrl,
      String redisUrl,
      Integer maxRows,
      Map<String, String> apiKeys,
      Boolean keyedReads,
      Long maxBodyBytes,
      Duration requestDeadline,
      Duration maxFutureSkew,
      Duration bodyTimeout,
      Integer redisPoolSize,
      FeatureLogSettings featureLog) {
    public Settings {
      registryUrl =
          registryUrl == null ? RegistryUrls.embedded(Path.of(".strata", "registry")) : registryUrl;
      redisUrl = redisUrl == null ? "redis://127.0.0.1:6379" : redisUrl;
      maxRows = maxRows == null ? 1000 : maxRows;
      apiKeys = apiKeys == null ? Map.of() : ApiKeys.hashed(apiKeys);
      keyedReads = keyedReads != null && keyedReads;
      maxBodyBytes = maxBodyBytes == null ? 1L << 20 : maxBodyBytes;
      requestDeadline = requestDeadline == null ? Duration.ofMillis(100) : requestDeadline;
      maxFutureSkew = maxFutureSkew == null ? Duration.ofMinutes(5) : maxFutureSkew;
      bodyTimeout = bodyTimeout == null ? Duration.ofSeconds(5) : bodyTimeout;
      redisPoolSize = redisPoolSize == null ? 64 : redisPoolSize;
      featureLog =
          featureLog == null
              ? new FeatureLogSettings(null, null, null, null, null, null)
              : featureLog;
      if (maxRows < 1 || maxBodyBytes < 1 || redisPoolSize < 1) {
        throw new IllegalArgumentException(
            "strata.max-rows, strata.max-body-bytes and strata.redis-pool-size must be positive");
      }
      if (requestDeadline.isNegative() || requestDeadline.isZero() || maxFutureSkew.isNegative()) {
        throw new IllegalArgumentException(
            "strata.request-deadline must be positive and strata.max-future-skew not negative");
      }
    }
  }

  /**
   * {@code strata.feature-log.*}: the served-feature log's directory (unset: no files), its Kafka
   * topic ({@code kafka.bootstrap} and {@code kafka.topic}; unset: no records), the share of
   * requests logged (default 1), the size (default 64 MB) and age (default 5 minutes) at which a
   * file is closed, and how many requests may wait to be written (default 100,000). With neither a
   * directory nor a topic, nothing is logged.
   */
  public record FeatureLogSettings(
      Path dir,
      KafkaLog kafka,
      Double sampleRate,
      org.springframework.util.unit.DataSize maxFileSize,
      Duration maxFileAge,
      Integer queueCapacity) {
    FeatureLog.Settings resolved() {
      return new FeatureLog.Settings(
          dir,
          kafka == null || (kafka.bootstrap() == null && kafka.topic() == null)
              ? null
              : new FeatureLog.KafkaTarget(kafka.bootstrap(), kafka.topic()),
          sampleRate == null ? 1.0 : sampleRate,
          maxFileSize == null ? 64L << 20 : maxFileSize.toBytes(),
          maxFileAge == null ? Duration.ofMinutes(5) : maxFileAge,
          queueCapacity == null ? 100_000 : queueCapacity);
    }
  }

  /** {@code strata.feature-log.kafka.*}: the broker list and the topic of the log's records. */
  public record KafkaLog(String bootstrap, String topic) {}

  @Bean(destroyMethod = "close")
  FeatureLog featureLog(Settings settings) {
    return new FeatureLog(settings.featureLog().resolved());
  }

  @Bean(destroyMethod = "close")
  RegistryStore registry(Settings settings) {
    return JdbcRegistryStore.open(settings.registryUrl());
  }

  @Bean(destroyMethod = "close")
  RedisOnlineStore onlineStore(Settings settings) {
    // connecting, each socket read and the wait for a pooled connection are bounded by the
    // request deadline: a stalled or unreachable Redis fails a request, it never holds it
    RedisOnlineStore store =
        RedisOnlineStore.connect(
            RedisEndpoint.parse(settings.redisUrl()),
            settings.requestDeadline(),
            settings.redisPoolSize());
    try {
      store.check();
    } catch (StrataException e) {
      // the server still starts (Redis may come later) and answers 503 until it does
      LoggerFactory.getLogger(StrataServer.class).error("{}", e.getMessage());
    }
    return store;
  }
}
