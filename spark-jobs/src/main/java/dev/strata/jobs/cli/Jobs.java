package dev.strata.jobs.cli;

import dev.strata.offline.TableFormat;

/** Small helpers shared by the job commands. */
final class Jobs {
  private Jobs() {}

  static TableFormat format(String text) {
    try {
      return TableFormat.parse(text);
    } catch (IllegalArgumentException e) {
      throw new StrataCli.UsageException(e.getMessage());
    }
  }

  static TableFormat offlineFormat(String text) {
    TableFormat f = format(text);
    if (f == TableFormat.PARQUET) {
      throw new StrataCli.UsageException("offline tables are delta, iceberg or hudi, not parquet");
    }
    return f;
  }
}
