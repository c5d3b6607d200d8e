package dev.strata.server;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Instants from requests, checked: ISO-8601 with a zone ({@code 2001-01-15T00:00:00Z}), between the
 * years 1 and 9999, so that epoch microseconds never overflow.
 */
final class Instants {
  static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
  static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

  private Instants() {}

  /** The instant in {@code text}, or a 400 that names {@code field}. */
  static Instant parse(String field, String text) {
    Instant t;
    try {
      t = Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new BadRequest(
          field
              + " must be an ISO-8601 instant such as 2001-01-15T00:00:00Z, got '"
              + FeatureResolver.shown(text)
              + "'");
    }
    if (t.isBefore(MIN) || t.isAfter(MAX)) {
      throw new BadRequest(
          field + " " + text + " is out of range: instants must lie in the years 1 to 9999");
    }
    return t;
  }

  static long micros(Instant t) {
    return t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
  }
}
