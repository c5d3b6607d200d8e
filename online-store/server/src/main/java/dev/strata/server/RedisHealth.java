package dev.strata.server;

import dev.strata.online.RedisOnlineStore;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Actuator health of the online store: UP while Redis answers a PING within the request deadline,
 * so a stalled Redis reads DOWN instead of hanging the check. The URL in the details has its
 * password masked, and details are shown to admin keys only.
 */
@Component("onlineStoreHealthIndicator")
public class RedisHealth implements HealthIndicator {
  private final RedisOnlineStore store;
  private final StrataServer.Settings settings;

  public RedisHealth(RedisOnlineStore store, StrataServer.Settings settings) {
    this.store = store;
    this.settings = settings;
  }

  @Override
  public Health health() {
    return store.ping(settings.requestDeadline())
        ? Health.up().withDetail("url", store.url()).build()
        : Health.down().withDetail("url", store.url()).build();
  }
}
