package dev.strata.jobs.cli;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Row;

/**
 * Flights as the JSON records of the example's source ({@code date}, {@code delay}, {@code
 * distance}, {@code origin}, {@code destination}) in the order a topic might really receive them:
 * each flight arrives a random time up to a minute short of {@code lateness} after its departure.
 */
public final class FlightReplay {
  private FlightReplay() {}

  /** One record and the time it arrives. */
  public record Arrival(Instant at, String json) {}

  /** The flights' records in arrival order. */
  public static List<Arrival> arrivalOrder(List<Row> flights, Duration lateness, Random rnd) {
    TreeMap<Long, List<Arrival>> byArrival = new TreeMap<>();
    long spread = Math.max(0, lateness.toMillis() - 60_000);
    for (Row r : flights) {
      Object d = r.getAs("date"); // the sample's times have no zone: UTC
      Instant t =
          d instanceof LocalDateTime l ? l.toInstant(ZoneOffset.UTC) : ((Timestamp) d).toInstant();
      long arrival = t.toEpochMilli() + (long) (rnd.nextDouble() * spread);
      byArrival
          .computeIfAbsent(arrival, a -> new ArrayList<>())
          .add(
              new Arrival(
                  Instant.ofEpochMilli(arrival),
                  record(
                      t,
                      r.getAs("delay"),
                      r.getAs("distance"),
                      r.getAs("origin"),
                      r.getAs("destination"))));
    }
    List<Arrival> out = new ArrayList<>();
    byArrival.values().forEach(out::addAll);
    return out;
  }

  /** One flight's JSON record. */
  public static String record(
      Instant departure, Object delay, Object distance, Object origin, Object destination) {
    return "{\"date\":\""
        + departure
        + "\",\"delay\":"
        + delay
        + ",\"distance\":"
        + distance
        + ",\"origin\":\""
        + origin
        + "\",\"destination\":\""
        + destination
        + "\"}";
  }
}
