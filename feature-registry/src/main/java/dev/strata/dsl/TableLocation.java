package dev.strata.dsl;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a table lives: its format and, for Delta, Hudi and Parquet, a Hadoop path or URI ({@code
 * /data/flights}, {@code s3a://bucket/warehouse/offline/delta/origin_delays_v1}); for Iceberg, a
 * table identifier in Strata's Iceberg catalog ({@code offline.origin_delays_v1}).
 *
 * <pre>{@code
 * TableLocation t = TableLocation.of(SourceFormat.DELTA, "s3a://lake/flights");
 * t.qualifiedName();   // "delta:s3a://lake/flights"
 * }</pre>
 */
public record TableLocation(SourceFormat format, String location) {
  public TableLocation {
    Objects.requireNonNull(format, "format");
    if (location == null || location.isBlank()) {
      throw new IllegalArgumentException("a " + name(format) + " table needs a location");
    }
  }

  public static TableLocation of(SourceFormat format, String location) {
    return new TableLocation(format, location);
  }

  /** {@code delta:/data/flights}: the stable name lineage uses for the table. */
  public String qualifiedName() {
    return name(format) + ":" + location;
  }

  /**
   * The format as users write it: {@code delta}, {@code iceberg}, {@code hudi}, {@code parquet}.
   */
  public String formatName() {
    return name(format);
  }

  private static String name(SourceFormat format) {
    return format.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public String toString() {
    return qualifiedName();
  }
}
