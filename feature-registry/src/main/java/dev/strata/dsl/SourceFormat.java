package dev.strata.dsl;

/** Where a source's raw data lives. */
public enum SourceFormat {
  DELTA,
  ICEBERG,
  HUDI,
  PARQUET
}
