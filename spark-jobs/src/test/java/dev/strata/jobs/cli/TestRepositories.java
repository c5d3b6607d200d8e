package dev.strata.jobs.cli;

import static dev.strata.dsl.Features.FLOAT64;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.between;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.freshness;
import static dev.strata.dsl.Features.ifThen;
import static dev.strata.dsl.Features.last;
import static dev.strata.dsl.Features.lit;
import static dev.strata.dsl.Features.rowCount;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Expr;
import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Source;
import dev.strata.examples.flights.FlightsRepository;
import java.time.Duration;
import java.util.List;

/**
 * Variants of the flights repository that the CLI tests apply after the original one. Each is
 * listed in META-INF/services, so the CLI finds them by name like a user's repository.
 */
final class TestRepositories {
  private TestRepositories() {}

  static final String PATH = FlightsRepository.path();

  /**
   * route_stats with one feature changed: {@code route_late_share_30d} counts delays over 30
   * minutes instead of 15. Same names and types, so the change is not breaking.
   */
  static FeatureView routeStats(Source flights, Expr lateThreshold, boolean distanceAsDouble) {
    Expr delay = col("delay");
    Expr late = ifThen(delay.gt(lateThreshold), lit(1.0), lit(0.0));
    Expr distance = distanceAsDouble ? col("distance").cast(FLOAT64) : col("distance");
    return FeatureView.builder("route_stats")
        .entity(FlightsRepository.ROUTE)
        .source(flights)
        .ttl(Duration.ofDays(30))
        .every(Duration.ofDays(1))
        .description("Delay statistics of a route")
        .owner("flight-ops")
        .aggregate(
            avg(delay)
                .over(Duration.ofDays(7))
                .as("route_avg_delay_7d")
                .description("Mean departure delay on the route over the last 7 days"))
        .aggregate(
            count()
                .over(Duration.ofDays(7))
                .as("route_flights_7d")
                .description("Flights on the route in the last 7 days"))
        .aggregate(
            avg(late)
                .over(Duration.ofDays(30))
                .as("route_late_share_30d")
                .description("Share of flights on the route delayed over 15 minutes, 30 days"))
        .aggregate(
            last(distance)
                .over(Duration.ofDays(30))
                .as("route_distance")
                .description("Route distance in miles"))
        .build();
  }

  static Definitions withRouteStats(FeatureView routeStats) {
    Source flights = FlightsRepository.flights(PATH);
    FeatureView origin = FlightsRepository.originDelays(flights);
    return Definitions.builder()
        .addAll(
            FlightsRepository.AIRPORT,
            FlightsRepository.ROUTE,
            flights,
            origin,
            routeStats,
            FlightsRepository.delayModel(origin, routeStats))
        .build();
  }

  /** One feature's expression changed. */
  public static final class Changed implements FeatureRepository {
    @Override
    public String name() {
      return "flights-changed";
    }

    @Override
    public Definitions definitions() {
      return withRouteStats(routeStats(FlightsRepository.flights(PATH), lit(30), false));
    }
  }

  /** A feature the service uses changes type (INT64 -> FLOAT64): a breaking change. */
  public static final class Breaking implements FeatureRepository {
    @Override
    public String name() {
      return "flights-breaking";
    }

    @Override
    public Definitions definitions() {
      return withRouteStats(routeStats(FlightsRepository.flights(PATH), lit(15), true));
    }
  }

  /** A view whose TTL is negative: invalid, refused before anything is written. */
  public static final class Invalid implements FeatureRepository {
    @Override
    public String name() {
      return "flights-invalid";
    }

    @Override
    public Definitions definitions() {
      FeatureView negativeTtl =
          FeatureView.builder("route_stats")
              .entity(FlightsRepository.ROUTE)
              .source(FlightsRepository.flights(PATH))
              .ttl(Duration.ofDays(-1))
              .aggregate(count().over(Duration.ofDays(7)).as("route_flights_7d"))
              .build();
      return withRouteStats(negativeTtl);
    }
  }

  /** A service that references a feature no view defines: refused by plan and apply. */
  public static final class DanglingReference implements FeatureRepository {
    @Override
    public String name() {
      return "flights-dangling";
    }

    @Override
    public Definitions definitions() {
      Source flights = FlightsRepository.flights(PATH);
      FeatureView origin = FlightsRepository.originDelays(flights);
      FeatureView route = FlightsRepository.routeStats(flights);
      return Definitions.builder()
          .addAll(FlightsRepository.AIRPORT, FlightsRepository.ROUTE, flights, origin, route)
          .add(
              FeatureService.builder("delay_model")
                  .include(origin)
                  .include(new Projection("route_stats", List.of("route_speed")))
                  .build())
          .build();
    }
  }

  /**
   * origin_delays with expectations, over the flights at {@code strata.test.checked.path}: the
   * longest delay of a day within a day (STRICT), at least a million rows (WARN), fresh within two
   * hours of the range's end (STRICT).
   */
  public static final class Checked implements FeatureRepository {
    @Override
    public String name() {
      return "flights-checked";
    }

    @Override
    public Definitions definitions() {
      Source flights =
          FlightsRepository.flights(System.getProperty("strata.test.checked.path", PATH));
      FeatureView o = FlightsRepository.originDelays(flights);
      FeatureView checked =
          FeatureView.restore(
              o.name(),
              o.entities(),
              o.joinKeys(),
              o.source(),
              o.ttl(),
              o.cadence(),
              o.features(),
              o.online(),
              o.metadata(),
              List.of(
                  between(col("max_delay_1d"), -60, 1440),
                  rowCount().atLeast(1_000_000).warnOnly(),
                  freshness(Duration.ofHours(2))));
      FeatureView route = FlightsRepository.routeStats(flights);
      return Definitions.builder()
          .addAll(
              FlightsRepository.AIRPORT,
              FlightsRepository.ROUTE,
              flights,
              checked,
              route,
              FlightsRepository.delayModel(checked, route))
          .build();
    }
  }
}
