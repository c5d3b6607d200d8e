package dev.strata.server;

import dev.strata.online.RedisOnlineStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * The server's own meters, registered at start-up so that every series exists (at 0) before the
 * first event and an alert has something to watch: Redis errors, Redis read latency, the Redis
 * connection pool (active, idle, waiting), answers per status, and the served-feature log. Tags
 * stay low-cardinality.
 */
@Component
public class ServerMetrics {
  final Counter redisErrors;
  final Timer redisReads;
  final Counter notFound;
  final Counter expired;
  final Counter present;

  public ServerMetrics(MeterRegistry meters, RedisOnlineStore store, FeatureLog log) {
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
    FunctionCounter.builder("strata.feature_log.logged", log, FeatureLog::logged)
        .description("requests written to the served-feature log")
        .register(meters);
    FunctionCounter.builder("strata.feature_log.dropped", log, FeatureLog::dropped)
        .description("sampled requests the served-feature log could not write (queue full, disk)")
        .register(meters);
    FunctionCounter.builder("strata.feature_log.files", log, FeatureLog::closedFiles)
        .description("served-feature log files closed")
        .register(meters);
  }

  private static Counter values(MeterRegistry meters, String status) {
    return Counter.builder("strata.online.values")
        .tag("status", status)
        .description("entity-view values answered, by status")
        .register(meters);
  }
}
