package dev.strata.server;

import dev.strata.online.RedisOnlineStore;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** Actuator health of the online store: UP while Redis answers a PING. */
@Component("onlineStoreHealthIndicator")
public class RedisHealth implements HealthIndicator {
  private final RedisOnlineStore store;

  public RedisHealth(RedisOnlineStore store) {
    this.store = store;
  }

  @Override
  public Health health() {
    return store.ping() ? Health.up().withDetail("url", store.url()).build()
        : Health.down().withDetail("url", store.url()).build();
  }
}
