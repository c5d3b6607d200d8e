package dev.strata.server;

import dev.strata.online.RedisOnlineStore;
import dev.strata.registry.JdbcRegistryStore;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RegistryUrls;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
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
@SpringBootApplication
@EnableConfigurationProperties(StrataServer.Settings.class)
public class StrataServer {
  public static void main(String[] args) {
    SpringApplication.run(StrataServer.class, args);
  }

  /**
   * @param registryUrl the registry database (default: the embedded one in .strata/registry)
   * @param redisUrl redis://host:port or redis-cluster://host:port,...
   * @param maxRows the most entity rows one request may ask for
   * @param apiKeys API key to role: read, write or admin
   * @param keyedReads whether reads need a key too (role read or more)
   */
  @ConfigurationProperties("strata")
  public record Settings(String registryUrl, String redisUrl, Integer maxRows, Map<String, String> apiKeys,
      Boolean keyedReads) {
    public Settings {
      registryUrl = registryUrl == null ? RegistryUrls.embedded(Path.of(".strata", "registry")) : registryUrl;
      redisUrl = redisUrl == null ? "redis://127.0.0.1:6379" : redisUrl;
      maxRows = maxRows == null ? 1000 : maxRows;
      apiKeys = apiKeys == null ? Map.of() : Map.copyOf(apiKeys);
      keyedReads = keyedReads != null && keyedReads;
    }
  }

  @Bean(destroyMethod = "close")
  RegistryStore registry(Settings settings) {
    return JdbcRegistryStore.open(settings.registryUrl());
  }

  @Bean(destroyMethod = "close")
  RedisOnlineStore onlineStore(Settings settings) {
    return RedisOnlineStore.connect(settings.redisUrl());
  }
}
