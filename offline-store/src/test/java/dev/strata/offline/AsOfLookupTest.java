package dev.strata.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The broadcast lookup on a hand-checked table, and its cap on the events it holds. */
@ExtendWith(SharedSparkSession.class)
class AsOfLookupTest {
  static final SweepLayout LAYOUT = new SweepLayout(List.of("a"), List.of("__v0"), 0);

  /** Key 1: times 10 (twice; the later row wins the tie) and 20; key 2: time 15. */
  static Dataset<Row> events(SparkSession spark) {
    StructType schema =
        new StructType()
            .add("a", DataTypes.LongType)
            .add(SweepLayout.TS, DataTypes.LongType)
            .add(SweepLayout.KIND, DataTypes.IntegerType)
            .add(SweepLayout.CREATED, DataTypes.LongType)
            .add("__v0", DataTypes.StringType);
    return spark
        .createDataFrame(
            List.of(
                RowFactory.create(1L, 10L, 0, null, "first at 10"),
                RowFactory.create(1L, 10L, 0, 5L, "wins at 10"),
                RowFactory.create(1L, 20L, 0, null, "at 20"),
                RowFactory.create(2L, 15L, 0, null, "key 2 at 15")),
            schema)
        .coalesce(1);
  }

  static String value(AsOfLookup lookup, long key, long t) {
    Row r = lookup.call(key, t);
    return r == null ? null : r.getString(0);
  }

  @Test
  void findsTheLatestEventAtOrBeforeTheTimeWithinTheTtl(SparkSession spark) {
    AsOfLookup noTtl = AsOfLookup.of(events(spark), LAYOUT, 0).orElseThrow();
    assertThat(value(noTtl, 1, 9)).isNull();
    assertThat(value(noTtl, 1, 10)).isEqualTo("wins at 10");
    assertThat(value(noTtl, 1, 19)).isEqualTo("wins at 10");
    assertThat(value(noTtl, 1, 20)).isEqualTo("at 20");
    assertThat(value(noTtl, 1, 1_000_000)).isEqualTo("at 20");
    assertThat(value(noTtl, 2, 15)).isEqualTo("key 2 at 15");
    assertThat(value(noTtl, 3, 15)).isNull();
    assertThat(noTtl.call(null, 15L)).isNull();

    AsOfLookup ttl5 = AsOfLookup.of(events(spark), LAYOUT, 5).orElseThrow();
    assertThat(value(ttl5, 1, 15)).isEqualTo("wins at 10"); // 10 >= 15 - 5: the bound is inclusive
    assertThat(value(ttl5, 1, 16)).isNull();
    assertThat(value(ttl5, 2, 20)).isEqualTo("key 2 at 15");
    assertThat(value(ttl5, 2, 21)).isNull();
  }

  @Test
  void holdsNoMoreThanItsCapAndThenLeavesTheJoinToTheSweep(SparkSession spark) {
    assertThat(AsOfLookup.of(events(spark), LAYOUT, 0, 3)).isEmpty();
    assertThat(AsOfLookup.of(events(spark), LAYOUT, 0, 4)).isPresent();
  }
}
