package dev.strata.jobs.cli;

import dev.strata.dsl.TableLocation;
import dev.strata.errors.NotFoundException;
import dev.strata.offline.ServedLog;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.registry.RegistryStore;
import dev.strata.streaming.ServedLogTopic;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code strata logs}: the feature server's served-feature log. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = "The feature server's served-feature log (strata.feature-log.dir).",
    subcommands = {LogsCommand.Load.class})
final class LogsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: load");
  }

  /** Where the loaded log lives: a table location, or the warehouse's default. */
  static final class Table {
    @Option(
        names = "--log-table",
        paramLabel = "LOCATION",
        description = "The log table (default: logs/<format>/served_features in the warehouse).")
    String location;

    @Option(
        names = "--log-format",
        paramLabel = "FORMAT",
        description = "The log table's format: delta (default), iceberg or hudi.")
    String format = "delta";

    TableLocation resolve(SparkOptions spark) {
      TableFormat f = Jobs.offlineFormat(format);
      return location == null ? ServedLog.location(spark.warehouse, f) : f.at(location);
    }

    /** The loaded log as it is now; not found when nothing was loaded there yet. */
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> read(
        org.apache.spark.sql.SparkSession spark, SparkOptions options) {
      TableLocation t = resolve(options);
      if (!Tables.exists(spark, t)) {
        throw new NotFoundException(
            "no served-feature log table at "
                + t.location()
                + ": load the server's log with 'strata logs load --dir DIR' first");
      }
      return Tables.read(spark, t, java.util.Optional.empty());
    }
  }

  @Command(
      name = "load",
      mixinStandardHelpOptions = true,
      description = {
        "Append the server's closed log files (*.jsonl) that the log table does not hold yet, in"
            + " one commit: one row per request, entity row and feature.",
        "Files still being written (*.jsonl.open) wait for the next load; loading again adds"
            + " nothing.",
        "With --kafka and --topic: the records of the topic the server sends its log to"
            + " (strata.feature-log.kafka.*) that the table does not hold yet."
      })
  static final class Load implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin RegistryOptions registry = new RegistryOptions();
    @Mixin SparkOptions sparkOptions = new SparkOptions();
    @Mixin Table table = new Table();

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        description = "The server's strata.feature-log.dir (any Hadoop file system URI or path).")
    String dir;

    @Option(
        names = "--kafka",
        paramLabel = "BOOTSTRAP",
        description = "The Kafka brokers of the server's strata.feature-log.kafka.bootstrap.")
    String kafka;

    @Option(
        names = "--topic",
        paramLabel = "TOPIC",
        description = "The topic of the server's strata.feature-log.kafka.topic.")
    String topic;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if ((dir == null) == (kafka == null) || (kafka == null) != (topic == null)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "logs load reads --dir DIR, or --kafka BOOTSTRAP with --topic TOPIC: one of the two");
      }
      try (RegistryStore store = registry.open()) {
        var spark = sparkOptions.session("logs load");
        TableLocation t = table.resolve(sparkOptions);
        ServedLog.Loaded l =
            SparkOptions.reported(
                spark,
                "logs load",
                () ->
                    dir != null
                        ? ServedLog.load(spark, store, dir, t)
                        : ServedLogTopic.load(spark, store, kafka, topic, t));
        String from = dir != null ? dir : "topic '" + topic + "' at " + kafka;
        if (l.files().isEmpty()) {
          out.println(
              (dir != null ? "No new closed log files in " : "No new records in ")
                  + from
                  + "; "
                  + t.location()
                  + " unchanged");
        } else {
          out.println(
              "Loaded "
                  + (dir != null
                      ? l.files().size() + " log files ("
                      : "topic '" + topic + "' " + String.join(", ", l.files()) + " (")
                  + l.requests()
                  + " requests, "
                  + l.rows()
                  + " served values) into "
                  + t.formatName()
                  + " "
                  + t.location()
                  + l.snapshot().map(s -> " at snapshot " + s.id()).orElse(""));
        }
        return StrataCli.OK;
      }
    }
  }
}
