package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.TableLocation;
import io.delta.tables.DeltaTable;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream's appends ({@link Tables.Once}): each batch is committed once, also by a new run that
 * replays batches the table already holds (a restart after a crash), and Delta's own idempotent
 * writer sees the same transaction ids.
 */
@ExtendWith(SharedSparkSession.class)
class AppendOnceTest {
  static Dataset<Row> batch(SparkSession spark, long id) {
    return spark
        .range(10)
        .select(
            col("id").plus(id * 100).as("n"),
            lit(java.sql.Date.valueOf("2024-03-0" + (1 + id % 2))).as("feature_date"));
  }

  static long rows(SparkSession spark, TableLocation t) {
    return Tables.read(spark, t, Optional.empty()).count();
  }

  static long commits(SparkSession spark, TableLocation t) {
    return DeltaTable.forPath(spark, t.location()).history().count();
  }

  @Test
  void eachBatchIsCommittedOnceAcrossRuns(SparkSession spark, @TempDir Path dir) {
    TableLocation t = TableFormat.DELTA.at(dir.resolve("t").toString());
    Tables.Once run = new Tables.Once(t, "feature_date", "w1");
    for (long id = 0; id < 3; id++) {
      run.append(spark, batch(spark, id), id);
    }
    assertThat(rows(spark, t)).isEqualTo(30);
    assertThat(commits(spark, t)).isEqualTo(3);

    // a restart: the last batches are replayed, then new ones come
    Tables.Once restarted = new Tables.Once(t, "feature_date", "w1");
    restarted.append(spark, batch(spark, 1), 1);
    restarted.append(spark, batch(spark, 2), 2);
    assertThat(commits(spark, t)).as("replayed batches commit nothing").isEqualTo(3);
    restarted.append(spark, batch(spark, 3), 3);
    assertThat(rows(spark, t)).isEqualTo(40);
    assertThat(
            Tables.read(spark, t, Optional.empty())
                .groupBy("n")
                .count()
                .filter(col("count").gt(1))
                .count())
        .as("no row twice")
        .isZero();

    // Delta's own idempotent writer reads the same ids: batch 3 is there, batch 4 is not
    Tables.appendOnce(spark, batch(spark, 3), t, "feature_date", "w1", 3);
    assertThat(rows(spark, t)).isEqualTo(40);
    Tables.appendOnce(spark, batch(spark, 4), t, "feature_date", "w1", 4);
    assertThat(rows(spark, t)).isEqualTo(50);
    // and a run that follows it starts after it; another writer's ids are its own
    new Tables.Once(t, "feature_date", "w1").append(spark, batch(spark, 4), 4);
    assertThat(rows(spark, t)).isEqualTo(50);
    new Tables.Once(t, "feature_date", "w2").append(spark, batch(spark, 0), 0);
    assertThat(rows(spark, t)).isEqualTo(60);
    assertThat(DeltaTables.committed(spark, t.location(), "w1")).hasValue(4);
    assertThat(DeltaTables.committed(spark, t.location(), "w2")).hasValue(0);
    assertThat(DeltaTables.committed(spark, t.location(), "w3")).hasValue(-1);
    assertThat(DeltaTables.committed(spark, dir.resolve("none").toString(), "w1")).isEmpty();
  }
}
