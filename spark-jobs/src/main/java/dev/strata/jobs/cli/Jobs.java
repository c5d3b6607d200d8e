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

  /**
   * How a job writes its output rows: {@code --output-format} (Parquet by default), {@code
   * --overwrite}.
   */
  static final class OutputOptions {
    @picocli.CommandLine.Option(
        names = "--output-format",
        paramLabel = "FORMAT",
        description = "parquet (default), delta, iceberg or hudi.")
    String format = "parquet";

    @picocli.CommandLine.Option(
        names = "--overwrite",
        description = "Replace the output if it exists.")
    boolean overwrite;

    TableFormat format() {
      return Jobs.format(format);
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
