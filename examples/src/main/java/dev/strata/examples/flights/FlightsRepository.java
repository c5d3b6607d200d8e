package dev.strata.examples.flights;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.ifThen;
import static dev.strata.dsl.Features.last;
import static dev.strata.dsl.Features.lit;
import static dev.strata.dsl.Features.max;
import static dev.strata.dsl.Features.stddev;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.Expr;
import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import java.time.Duration;

/**
 * The example feature repository, on the US flights of the first half of 2001 ({@code
 * flights-3m.parquet} of the npm package {@code vega-datasets@3.2.1}: date, delay in minutes,
 * distance in miles, origin and destination airport codes).
 *
 * <p>Airports and routes are the entities; delay statistics by origin over 1 hour, 1 day and 7 days
 * and route statistics are the features; {@code delay_model} is the service a model that predicts
 * "departure delayed over 15 minutes" uses.
 */
public final class FlightsRepository implements FeatureRepository {
  /** Where the shipped sample lives, relative to the repository root. */
  public static final String SAMPLE_PATH = "data/flights-sample.parquet";

  public static final Entity AIRPORT =
      Entity.builder("airport")
          .joinKey("origin", STRING)
          .description("A departure airport, by IATA code")
          .owner("flight-ops")
          .build();

  public static final Entity ROUTE =
      Entity.builder("route")
          .joinKey("origin", STRING)
          .joinKey("destination", STRING)
          .description("A route between two airports")
          .owner("flight-ops")
          .build();

  /** The flights table; {@code date} is the scheduled departure, used as the event time. */
  public static Source flights(String path) {
    return Source.builder("flights")
        .parquet(path)
        .eventTimestamp("departure")
        .column("departure", TIMESTAMP)
        .column("delay", INT64)
        .column("distance", INT64)
        .column("origin", STRING)
        .column("destination", STRING)
        .rename("date", "departure")
        .description("US domestic flights, first half of 2001 (BTS on-time performance)")
        .owner("flight-ops")
        .tag("dataset", "vega-datasets/flights-3m")
        .build();
  }

  private static final Expr DELAY = col("delay");
  private static final Expr LATE = ifThen(DELAY.gt(lit(15)), lit(1.0), lit(0.0));

  public static FeatureView originDelays(Source flights) {
    return FeatureView.builder("origin_delays")
        .entity(AIRPORT)
        .source(flights)
        .ttl(Duration.ofDays(7))
        .every(Duration.ofHours(1))
        .description("Departure delay statistics of the origin airport")
        .owner("flight-ops")
        .aggregate(
            avg(DELAY)
                .over(Duration.ofHours(1))
                .as("avg_delay_1h")
                .description("Mean departure delay (minutes) over the last hour"))
        .aggregate(
            avg(DELAY)
                .over(Duration.ofDays(1))
                .as("avg_delay_1d")
                .description("Mean departure delay (minutes) over the last day"))
        .aggregate(
            avg(DELAY)
                .over(Duration.ofDays(7))
                .as("avg_delay_7d")
                .description("Mean departure delay (minutes) over the last 7 days"))
        .aggregate(
            count()
                .over(Duration.ofHours(1))
                .as("flights_1h")
                .description("Departures in the last hour"))
        .aggregate(
            count()
                .over(Duration.ofDays(1))
                .as("flights_1d")
                .description("Departures in the last day"))
        .aggregate(
            count()
                .over(Duration.ofDays(7))
                .as("flights_7d")
                .description("Departures in the last 7 days"))
        .aggregate(
            avg(LATE)
                .over(Duration.ofDays(1))
                .as("late_share_1d")
                .description("Share of departures delayed over 15 minutes in the last day"))
        .aggregate(
            max(DELAY)
                .over(Duration.ofDays(1))
                .as("max_delay_1d")
                .description("Longest departure delay in the last day"))
        .aggregate(
            stddev(DELAY)
                .over(Duration.ofDays(7))
                .as("stddev_delay_7d")
                .description("Standard deviation of departure delays over the last 7 days"))
        .build();
  }

  public static FeatureView routeStats(Source flights) {
    return FeatureView.builder("route_stats")
        .entity(ROUTE)
        .source(flights)
        .ttl(Duration.ofDays(30))
        .every(Duration.ofDays(1))
        .description("Delay statistics of a route")
        .owner("flight-ops")
        .aggregate(
            avg(DELAY)
                .over(Duration.ofDays(7))
                .as("route_avg_delay_7d")
                .description("Mean departure delay on the route over the last 7 days"))
        .aggregate(
            count()
                .over(Duration.ofDays(7))
                .as("route_flights_7d")
                .description("Flights on the route in the last 7 days"))
        .aggregate(
            avg(LATE)
                .over(Duration.ofDays(30))
                .as("route_late_share_30d")
                .description("Share of flights on the route delayed over 15 minutes, 30 days"))
        .aggregate(
            last(col("distance"))
                .over(Duration.ofDays(30))
                .as("route_distance")
                .description("Route distance in miles"))
        .build();
  }

  public static FeatureService delayModel(FeatureView originDelays, FeatureView routeStats) {
    return FeatureService.builder("delay_model")
        .include(originDelays)
        .include(routeStats.select("route_avg_delay_7d", "route_late_share_30d", "route_distance"))
        .description("Features of the model that predicts a departure delay over 15 minutes")
        .owner("ml-platform")
        .build();
  }

  /**
   * Where the flights source is: the system property {@code strata.flights.path}, else the shipped
   * sample (relative to the working directory, the repository root for the CLI).
   */
  public static String path() {
    return System.getProperty("strata.flights.path", SAMPLE_PATH);
  }

  /** The repository's definitions with the flights source at {@code path}. */
  public static Definitions definitions(String path) {
    Source flights = flights(path);
    FeatureView origin = originDelays(flights);
    FeatureView route = routeStats(flights);
    return Definitions.builder()
        .addAll(AIRPORT, ROUTE, flights, origin, route, delayModel(origin, route))
        .build();
  }

  @Override
  public String name() {
    return "flights";
  }

  @Override
  public Definitions definitions() {
    return definitions(path());
  }
}
