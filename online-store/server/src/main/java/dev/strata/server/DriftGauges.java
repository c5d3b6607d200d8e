package dev.strata.server;

import dev.strata.dsl.FeatureService;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.registry.DriftReport;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The newest drift check of each view ({@code strata drift}, kept in the registry) as Prometheus
 * gauges, tagged by feature service, view and feature: {@code strata_drift_psi}, {@code
 * strata_drift_ks}, {@code strata_drift_js} and {@code strata_drift_drifted} (1 when the feature
 * crossed a threshold). A feature gets a series for each service that serves it, so an alert can
 * name the service. Read from the registry at start and then every {@link #REFRESH_SECONDS}
 * seconds, off the request path.
 */
@Component
public class DriftGauges {
  private static final Logger LOG = LoggerFactory.getLogger(DriftGauges.class);
  static final long REFRESH_SECONDS = 60;

  private final RegistryStore registry;
  private final MultiGauge psi;
  private final MultiGauge ks;
  private final MultiGauge js;
  private final MultiGauge drifted;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "strata-drift-gauges");
            t.setDaemon(true);
            return t;
          });

  public DriftGauges(RegistryStore registry, MeterRegistry meters) {
    this.registry = registry;
    psi = gauge(meters, "strata.drift.psi", "population stability index of the newest check");
    ks = gauge(meters, "strata.drift.ks", "Kolmogorov-Smirnov statistic of the newest check");
    js = gauge(meters, "strata.drift.js", "Jensen-Shannon divergence (bits) of the newest check");
    drifted = gauge(meters, "strata.drift.drifted", "1 when the newest check crossed a threshold");
    timer.scheduleWithFixedDelay(this::refreshQuietly, 0, REFRESH_SECONDS, TimeUnit.SECONDS);
  }

  private static MultiGauge gauge(MeterRegistry meters, String name, String description) {
    return MultiGauge.builder(name).description(description).register(meters);
  }

  @PreDestroy
  void stop() {
    timer.shutdownNow();
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("drift gauges not refreshed: {}", e.getMessage()); // keeps the last values
    }
  }

  /** Reads the newest drift checks and the services again and replaces every series. */
  void refresh() {
    Map<String, DriftReport> byView = new HashMap<>();
    for (DriftReport r : registry.latestDrift()) {
      byView.put(r.view(), r);
    }
    List<MultiGauge.Row<?>> psiRows = new ArrayList<>();
    List<MultiGauge.Row<?>> ksRows = new ArrayList<>();
    List<MultiGauge.Row<?>> jsRows = new ArrayList<>();
    List<MultiGauge.Row<?>> driftedRows = new ArrayList<>();
    for (Registered<dev.strata.dsl.Definition> reg : registry.list(ObjectKind.FEATURE_SERVICE)) {
      FeatureService service = reg.as(FeatureService.class).definition();
      for (Projection p : service.projections()) {
        DriftReport report = byView.get(p.view());
        if (report == null) {
          continue;
        }
        for (DriftReport.FeatureDrift f : report.features()) {
          if (!p.features().contains(f.feature())) {
            continue;
          }
          Tags tags =
              Tags.of("feature_service", service.name(), "view", p.view(), "feature", f.feature());
          psiRows.add(MultiGauge.Row.of(tags, f.psi()));
          ksRows.add(MultiGauge.Row.of(tags, f.ks()));
          jsRows.add(MultiGauge.Row.of(tags, f.js()));
          driftedRows.add(MultiGauge.Row.of(tags, f.drifted() ? 1 : 0));
        }
      }
    }
    psi.register(psiRows, true);
    ks.register(ksRows, true);
    js.register(jsRows, true);
    drifted.register(driftedRows, true);
  }
}
