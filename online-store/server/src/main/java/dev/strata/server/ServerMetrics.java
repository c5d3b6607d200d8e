package dev.strata.server;

import dev.strata.online.RedisOnlineStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The server's own meters, registered at start-up so that every series exists (at 0) before the
 * first event and an alert has something to watch: Redis errors, Redis read latency, the Redis
 * connection pool (active, idle, waiting), and answers per status. Tags stay low-cardinality.
 */
@Component
public class ServerMetrics {
  final Counter redisErrors;
  final Timer redisReads;
  final Counter notFound;
  final Counter expired;
  final Counter present;

  public ServerMetrics(MeterRegistry meters, RedisOnlineStore store) {
    redisErrors =
        Counter.builder("strata.redis.errors")
            .description("Redis calls that failed or timed out")
            .register(meters);
    redisReads =
        Timer.builder("strata.redis.read")
            .description("one request's Redis pipeline, as the server waits for it")
            .publishPercentileHistogram()
            .register(meters);
    present = values(meters, "present");
    notFound = values(meters, "not_found");
    expired = values(meters, "expired");
    Gauge.builder("strata.redis.pool.active", store, s -> s.poolStats().active()).register(meters);
    Gauge.builder("strata.redis.pool.idle", store, s -> s.poolStats().idle()).register(meters);
    Gauge.builder("strata.redis.pool.waiting", store, s -> s.poolStats().waiting())
        .register(meters);
  }

  private static Counter values(MeterRegistry meters, String status) {
    return Counter.builder("strata.online.values")
        .tag("status", status)
        .description("entity-view values answered, by status")
        .register(meters);
  }
}
