package dev.strata.dsl;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Raw data that feature views compute from: a Delta, Iceberg or Hudi table, or Parquet files, with
 * its event-timestamp column, an optional created-timestamp column, the columns that views may use
 * (with their types) and an optional mapping from raw column names to those names.
 *
 * <pre>{@code
 * Source flights = Source.builder("flights")
 *     .parquet("data/flights.parquet")
 *     .eventTimestamp("departure")
 *     .column("departure", TIMESTAMP).column("origin", STRING).column("delay", INT64)
 *     .rename("dep_delay", "delay")
 *     .build();
 * }</pre>
 */
public final class Source implements Definition {
  private final String name;
  private final SourceFormat format;
  private final String location;
  private final String eventTimestamp;
  private final String createdTimestamp;
  private final Map<String, ValueType> columns;
  private final Map<String, String> columnMapping;
  private final Metadata metadata;

  private Source(Builder b) {
    this.name = b.name;
    this.format = b.format;
    this.location = b.location;
    this.eventTimestamp = b.eventTimestamp;
    this.createdTimestamp = b.createdTimestamp;
    this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(b.columns));
    this.columnMapping = Collections.unmodifiableMap(new LinkedHashMap<>(b.columnMapping));
    this.metadata = b.metadata;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public ObjectKind kind() {
    return ObjectKind.SOURCE;
  }

  @Override
  public String name() {
    return name;
  }

  public SourceFormat format() {
    return format;
  }

  /** A path (Delta, Hudi, Parquet) or a table identifier (Iceberg: {@code db.table}). */
  public String location() {
    return location;
  }

  public String eventTimestamp() {
    return eventTimestamp;
  }

  public Optional<String> createdTimestamp() {
    return Optional.ofNullable(createdTimestamp);
  }

  /** The columns views may use, by their (mapped) names, in declaration order. */
  public Map<String, ValueType> columns() {
    return columns;
  }

  /** Raw column name in the table to the name used in definitions. */
  public Map<String, String> columnMapping() {
    return columnMapping;
  }

  /** The raw table's name for a column used in definitions. */
  public String rawColumn(String column) {
    for (Map.Entry<String, String> e : columnMapping.entrySet()) {
      if (e.getValue().equals(column)) {
        return e.getKey();
      }
    }
    return column;
  }

  public Metadata metadata() {
    return metadata;
  }

  /** A stable name for lineage: {@code delta:/data/flights}. */
  public String tableName() {
    return table().qualifiedName();
  }

  /** Where the source's table lives. */
  public TableLocation table() {
    return TableLocation.of(format, location);
  }

  public Builder toBuilder() {
    Builder b = new Builder(name);
    b.format = format;
    b.location = location;
    b.eventTimestamp = eventTimestamp;
    b.createdTimestamp = createdTimestamp;
    b.columns.putAll(columns);
    b.columnMapping.putAll(columnMapping);
    b.metadata = metadata;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Source)) {
      return false;
    }
    Source s = (Source) o;
    return name.equals(s.name)
        && format == s.format
        && location.equals(s.location)
        && eventTimestamp.equals(s.eventTimestamp)
        && Objects.equals(createdTimestamp, s.createdTimestamp)
        && columns.equals(s.columns)
        && columnMapping.equals(s.columnMapping)
        && metadata.equals(s.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, format, location, eventTimestamp, columns);
  }

  @Override
  public String toString() {
    return "source " + name + " (" + tableName() + ")";
  }

  /** Builds a {@link Source}; {@link #build()} validates. */
  public static final class Builder {
    private final String name;
    private SourceFormat format;
    private String location;
    private String eventTimestamp;
    private String createdTimestamp;
    private final Map<String, ValueType> columns = new LinkedHashMap<>();
    private final Map<String, String> columnMapping = new LinkedHashMap<>();
    private Metadata metadata = Metadata.EMPTY;
    private String duplicateColumn;

    private Builder(String name) {
      this.name = name;
    }

    public Builder delta(String path) {
      return at(SourceFormat.DELTA, path);
    }

    public Builder iceberg(String table) {
      return at(SourceFormat.ICEBERG, table);
    }

    public Builder hudi(String path) {
      return at(SourceFormat.HUDI, path);
    }

    public Builder parquet(String path) {
      return at(SourceFormat.PARQUET, path);
    }

    public Builder at(SourceFormat format, String location) {
      this.format = format;
      this.location = location;
      return this;
    }

    public Builder eventTimestamp(String column) {
      this.eventTimestamp = column;
      return this;
    }

    public Builder createdTimestamp(String column) {
      this.createdTimestamp = column;
      return this;
    }

    /** Declares a column (by its mapped name) and its type. */
    public Builder column(String column, ValueType type) {
      if (columns.put(column, type) != null && duplicateColumn == null) {
        duplicateColumn = column;
      }
      return this;
    }

    /** Maps a raw column of the table to the name used in definitions. */
    public Builder rename(String rawColumn, String column) {
      columnMapping.put(rawColumn, column);
      return this;
    }

    public Builder description(String description) {
      metadata = metadata.withDescription(description);
      return this;
    }

    public Builder owner(String owner) {
      metadata = metadata.withOwner(owner);
      return this;
    }

    public Builder tag(String key, String value) {
      metadata = metadata.withTag(key, value);
      return this;
    }

    public Source build() {
      Names.checkObjectName("source", name);
      if (format == null || location == null || location.isBlank()) {
        throw DefinitionException.of(
            "source", name, "needs a location: call delta(), iceberg(), hudi() or parquet()");
      }
      if (duplicateColumn != null) {
        throw DefinitionException.of(
            "source", name, "column '%s' is declared twice", duplicateColumn);
      }
      if (columns.isEmpty()) {
        throw DefinitionException.of("source", name, "declares no columns");
      }
      for (Map.Entry<String, ValueType> c : columns.entrySet()) {
        Names.checkColumn("source", name, "column", c.getKey());
        Names.checkNotReserved("source", name, "column", c.getKey());
        if (c.getValue() == null) {
          throw DefinitionException.of("source", name, "column '%s' has no type", c.getKey());
        }
      }
      checkTimestamp("event timestamp column", eventTimestamp, true);
      checkTimestamp("created timestamp column", createdTimestamp, false);
      Map<String, String> targets = new HashMap<>();
      for (Map.Entry<String, String> m : columnMapping.entrySet()) {
        Names.checkColumn("source", name, "raw column", m.getKey());
        if (!columns.containsKey(m.getValue())) {
          throw DefinitionException.of(
              "source",
              name,
              "column mapping '%s' -> '%s' names a column that is not declared",
              m.getKey(),
              m.getValue());
        }
        String earlier = targets.put(m.getValue(), m.getKey());
        if (earlier != null) {
          throw DefinitionException.of(
              "source",
              name,
              "raw columns '%s' and '%s' both map to '%s'",
              earlier,
              m.getKey(),
              m.getValue());
        }
      }
      return new Source(this);
    }

    private void checkTimestamp(String field, String column, boolean required) {
      if (column == null) {
        if (required) {
          throw DefinitionException.of("source", name, "%s is not set", field);
        }
        return;
      }
      ValueType t = columns.get(column);
      if (t == null) {
        throw DefinitionException.of(
            "source", name, "%s '%s' is not a declared column", field, column);
      }
      if (t != ValueType.TIMESTAMP) {
        throw DefinitionException.of(
            "source", name, "%s '%s' has type %s, expected TIMESTAMP", field, column, t);
      }
    }
  }
}
