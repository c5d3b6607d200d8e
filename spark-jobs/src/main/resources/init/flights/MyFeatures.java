package com.example.features;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static dev.strata.dsl.Features.lit;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureRepository;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import java.time.Duration;

/** Delay features of the airport a flight departs from, on a slice of the US flights of 2001. */
public final class MyFeatures implements FeatureRepository {
  /** The events: one row per flight (date, origin, delay in minutes). */
  static final String DATA = "@DATA@";

  @Override
  public String name() {
    return "@NAME@";
  }

  @Override
  public Definitions definitions() {
    Entity airport =
        Entity.builder("origin_airport")
            .joinKey("origin", STRING)
            .description("The airport a flight departs from")
            .build();
    Source flights =
        Source.builder("my_flights")
            .parquet(DATA)
            .eventTimestamp("date")
            .column("date", TIMESTAMP)
            .column("origin", STRING)
            .column("delay", INT64)
            .build();
    FeatureView delays =
        FeatureView.builder("origin_airport_delays")
            .entity(airport)
            .source(flights)
            .ttl(Duration.ofDays(1))
            .every(Duration.ofHours(1))
            // a row-level feature: the latest flight's value, valid for the TTL
            .feature(col("delay").gt(lit(15)).as("last_flight_late"))
            // window aggregations: exact sliding windows [t - w, t)
            .aggregate(avg(col("delay")).over(Duration.ofDays(1)).as("avg_delay_1d"))
            .aggregate(count().over(Duration.ofHours(1)).as("departures_1h"))
            .build();
    FeatureService service =
        FeatureService.builder("origin_airport_service").include(delays).build();
    return Definitions.builder().addAll(airport, flights, delays, service).build();
  }
}
