package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * The sweep's named row layout: both sides are built by it, and a column on one side only fails.
 */
class SweepLayoutTest {
  final SweepLayout layout =
      new SweepLayout(List.of("origin", "destination"), List.of("v0", "v1", "v2"), 2);

  @Test
  void positionsFollowTheNames() {
    List<String> names = layout.names();
    assertThat(names)
        .containsExactly(
            "origin",
            "destination",
            "__ts",
            "__kind",
            "__created",
            "v0",
            "v1",
            "v2",
            "__e0",
            "__e1");
    assertThat(names.get(layout.ts())).isEqualTo("__ts");
    assertThat(names.get(layout.kind())).isEqualTo("__kind");
    assertThat(names.get(layout.created())).isEqualTo("__created");
    for (int i = 0; i < 3; i++) {
      assertThat(names.get(layout.value(i))).isEqualTo("v" + i);
    }
    assertThat(names.get(layout.entity(0))).isEqualTo("__e0");
    assertThat(names.get(layout.entity(1))).isEqualTo("__e1");
  }

  @Test
  void aSideWithAColumnTooManyOrTooFewFails() {
    List<Column> keys = List.of(col("origin"), col("destination"));
    List<Column> entities = List.of(lit(null), lit(null));
    assertThat(
            layout.select(
                keys, col("t"), lit(0), lit(null), List.of(col("a"), col("b"), col("c")), entities))
        .hasSize(10);
    assertThatThrownBy(
            () ->
                layout.select(
                    keys,
                    col("t"),
                    lit(0),
                    lit(null),
                    List.of(col("a"), col("b"), col("c"), col("extra")),
                    entities))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("4 values");
    assertThatThrownBy(
            () ->
                layout.select(
                    keys,
                    col("t"),
                    lit(1),
                    lit(null),
                    List.of(col("a"), col("b"), col("c")),
                    List.of(lit(null))))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("1 entity columns");
  }

  @Test
  void aSchemaWithAColumnAddedOnOneSideFailsTheCheck() {
    StructType ok = new StructType();
    for (String n : layout.names()) {
      ok = ok.add(n, DataTypes.StringType);
    }
    layout.check(ok);
    // a column slipped in after __created would shift every value and entity position
    StructType shifted =
        new StructType()
            .add("origin", DataTypes.StringType)
            .add("destination", DataTypes.StringType)
            .add("__ts", DataTypes.LongType)
            .add("__kind", DataTypes.IntegerType)
            .add("__created", DataTypes.LongType)
            .add("__extra", DataTypes.LongType)
            .add("v0", DataTypes.StringType)
            .add("v1", DataTypes.StringType)
            .add("v2", DataTypes.StringType)
            .add("__e0", DataTypes.StringType)
            .add("__e1", DataTypes.StringType);
    assertThatThrownBy(() -> layout.check(shifted))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("__extra");
  }
}
