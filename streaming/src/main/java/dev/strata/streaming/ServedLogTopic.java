package dev.strata.streaming;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.regexp_extract;

import dev.strata.dsl.TableLocation;
import dev.strata.offline.ServedLog;
import dev.strata.offline.Tables;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.RegistryStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The served-feature log read from the Kafka topic the feature server sends it to ({@code
 * strata.feature-log.kafka.*}) into the log table, as {@link ServedLog#load} does with files.
 *
 * <p>A load reads each partition from the offset after the newest one the table holds (from the
 * start when it holds none) up to the end offset the broker gives when the load starts, and appends
 * those records in one commit. A record's {@code log_file} is {@code kafka:<topic>:<partition>:
 * <offset>}, which is how the next load knows where to start: loading again adds nothing, and a
 * record is never loaded twice. A record that is not a log line fails the load (nothing is
 * committed), as a malformed file does.
 */
public final class ServedLogTopic {
  private ServedLogTopic() {}

  /** The offset range {@code [from, to)} of one partition that a load reads. */
  record Range(int partition, long from, long to) {
    @Override
    public String toString() {
      return "partition " + partition + " offsets [" + from + ", " + to + ")";
    }
  }

  /** Appends the topic's records that {@code table} does not hold yet. */
  public static ServedLog.Loaded load(
      SparkSession spark,
      RegistryStore registry,
      String bootstrap,
      String topic,
      TableLocation table) {
    KafkaBroker.requireTopic(bootstrap, topic);
    Map<Integer, Long> loaded = loadedOffsets(spark, table, topic);
    List<Range> ranges = new ArrayList<>();
    for (var e : offsets(bootstrap, topic).entrySet()) {
      long earliest = e.getValue()[0];
      long end = e.getValue()[1];
      long from = Math.max(earliest, loaded.getOrDefault(e.getKey(), -1L) + 1);
      if (from < end) {
        ranges.add(new Range(e.getKey(), from, end));
      }
    }
    List<String> parts = ranges.stream().map(Range::toString).toList();
    if (ranges.isEmpty()) {
      return new ServedLog.Loaded(
          table, parts, 0, 0, Tables.currentSnapshot(spark, table), Optional.empty());
    }
    Map<String, String> props = new HashMap<>();
    props.put("kafka", bootstrap);
    props.put("topic", topic);
    props.put("table", table.location());
    props.put("records", Long.toString(ranges.stream().mapToLong(r -> r.to() - r.from()).sum()));
    Column appended = lit(false);
    for (Range r : ranges) {
      appended =
          appended.or(
              partition(topic)
                  .equalTo(r.partition())
                  .and(offset(topic).geq(r.from()))
                  .and(offset(topic).lt(r.to())));
    }
    LineageId id = LineageId.topic(bootstrap, topic);
    return ServedLog.append(
        spark,
        registry,
        table,
        () -> rows(spark, bootstrap, topic, ranges),
        parts,
        appended,
        props,
        Optional.of(LineageNode.of(id, Map.of("bootstrap", bootstrap))));
  }

  /** The ranges' records in the table's long form. */
  static Dataset<Row> rows(SparkSession spark, String bootstrap, String topic, List<Range> ranges) {
    StringBuilder from = new StringBuilder();
    StringBuilder to = new StringBuilder();
    for (Range r : ranges) {
      from.append(from.isEmpty() ? "" : ",").append('"').append(r.partition()).append("\":");
      from.append(r.from());
      to.append(to.isEmpty() ? "" : ",").append('"').append(r.partition()).append("\":");
      to.append(r.to());
    }
    String name = quote(topic);
    Dataset<Row> records =
        spark
            .read()
            .format("kafka")
            .option("kafka.bootstrap.servers", bootstrap)
            .option("assign", "{" + name + ":[" + partitions(ranges) + "]}")
            .option("startingOffsets", "{" + name + ":{" + from + "}}")
            .option("endingOffsets", "{" + name + ":{" + to + "}}")
            .option("failOnDataLoss", "true")
            .load();
    Dataset<Row> lines =
        records.select(
            from_json(col("value").cast("string"), ServedLog.LINE, Map.of("mode", "FAILFAST"))
                .as("l"),
            concat(
                    lit("kafka:" + topic + ":"),
                    col("partition").cast("string"),
                    lit(":"),
                    col("offset").cast("string"))
                .as("log_file"));
    return ServedLog.rows(lines.select(col("l.*"), col("log_file")));
  }

  private static String partitions(List<Range> ranges) {
    StringBuilder b = new StringBuilder();
    for (Range r : ranges) {
      b.append(b.isEmpty() ? "" : ",").append(r.partition());
    }
    return b.toString();
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  private static String recordPattern(String topic) {
    return "^kafka:" + Pattern.quote(topic) + ":(\\d+):(\\d+)$";
  }

  private static Column partition(String topic) {
    return regexp_extract(col("log_file"), recordPattern(topic), 1).cast("int");
  }

  private static Column offset(String topic) {
    return regexp_extract(col("log_file"), recordPattern(topic), 2).cast("long");
  }

  /** Per partition, the newest offset of the topic that the table holds. */
  static Map<Integer, Long> loadedOffsets(SparkSession spark, TableLocation table, String topic) {
    Map<Integer, Long> out = new HashMap<>();
    if (!Tables.exists(spark, table)) {
      return out;
    }
    Dataset<Row> t = Tables.read(spark, table, Optional.empty());
    for (Row r :
        t.filter(col("log_file").startsWith("kafka:" + topic + ":"))
            .groupBy(partition(topic).as("p"))
            .agg(max(offset(topic)))
            .collectAsList()) {
      out.put(r.getInt(0), r.getLong(1));
    }
    return out;
  }

  /** Per partition, its earliest offset and its end offset, now. */
  static Map<Integer, long[]> offsets(String bootstrap, String topic) {
    return KafkaBroker.ask(
        bootstrap,
        "did not give topic '" + topic + "''s offsets",
        admin -> {
          List<TopicPartition> parts = new ArrayList<>();
          for (var p :
              admin
                  .describeTopics(List.of(topic))
                  .allTopicNames()
                  .get(20, TimeUnit.SECONDS)
                  .get(topic)
                  .partitions()) {
            parts.add(new TopicPartition(topic, p.partition()));
          }
          Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
          Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
          for (TopicPartition p : parts) {
            earliest.put(p, OffsetSpec.earliest());
            latest.put(p, OffsetSpec.latest());
          }
          var first = admin.listOffsets(earliest).all().get(20, TimeUnit.SECONDS);
          var end = admin.listOffsets(latest).all().get(20, TimeUnit.SECONDS);
          Map<Integer, long[]> out = new TreeMap<>();
          for (TopicPartition p : parts) {
            out.put(p.partition(), new long[] {first.get(p).offset(), end.get(p).offset()});
          }
          return out;
        });
  }
}
