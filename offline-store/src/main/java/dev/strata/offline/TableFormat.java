package dev.strata.offline;

import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;
import java.util.Locale;

/**
 * A table format a job can write or read: Delta, Iceberg, Hudi, or plain Parquet files. The reading
 * and writing itself is {@link Tables}'.
 */
public enum TableFormat {
  DELTA,
  ICEBERG,
  HUDI,
  PARQUET;

  /** A table of this format at a location (a path or URI; an identifier for Iceberg). */
  public TableLocation at(String location) {
    return TableLocation.of(sourceFormat(), location);
  }

  public SourceFormat sourceFormat() {
    return SourceFormat.valueOf(name());
  }

  /** How users write it: {@code delta}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static TableFormat of(SourceFormat format) {
    return valueOf(format.name());
  }

  public static TableFormat parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "Unknown table format '" + text + "': expected delta, iceberg or hudi", e);
    }
  }
}
