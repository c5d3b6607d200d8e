package dev.strata.dsl;

import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.ifThen;
import static dev.strata.dsl.Features.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Expressions are records checked when constructed, by the DSL and by the codec's restore alike.
 */
class ExprTest {
  @Test
  void nodesAreTypedRecords() {
    Expr e = col("delay").gt(lit(15)).and(col("distance").isNotNull());
    assertThat(e).isInstanceOf(Expr.Call.class);
    assertThat(e.op()).isEqualTo(Expr.Op.AND);
    assertThat(e.args().get(0).args().get(0)).isEqualTo(new Expr.Column("delay"));
    assertThat(e.args().get(0).args().get(1)).isEqualTo(new Expr.Literal(15L, ValueType.INT32));
    assertThat(e.columns()).containsExactly("delay", "distance");
    assertThat(e.toString()).isEqualTo("((delay > 15) and is_not_null(distance))");
    assertThat(col("delay").cast(ValueType.FLOAT64))
        .isEqualTo(new Expr.Cast(new Expr.Column("delay"), ValueType.FLOAT64));
    assertThat(
            ifThen(col("a").isNull(), lit(1.0), col("b"))
                .typeIn(Map.of("a", ValueType.INT64, "b", ValueType.FLOAT64)))
        .isEqualTo(ValueType.FLOAT64);
  }

  @Test
  void malformedNodesCannotBeBuilt() {
    assertThatThrownBy(() -> new Expr.Column(" "))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("column name must not be empty");
    assertThatThrownBy(() -> new Expr.Literal("15", ValueType.INT64))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("literal 15 (String) is not a INT64");
    assertThatThrownBy(() -> new Expr.Literal(1L, null)).isInstanceOf(DefinitionException.class);
    assertThatThrownBy(() -> new Expr.Call(Expr.Op.ADD, List.of(col("a"))))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("add takes 2 operand(s)");
    assertThatThrownBy(() -> new Expr.Call(Expr.Op.COL, List.of()))
        .isInstanceOf(DefinitionException.class);
    assertThatThrownBy(() -> new Expr.Cast(col("a"), null)).isInstanceOf(DefinitionException.class);
  }

  @Test
  void restoreChecksWhatItRebuilds() {
    assertThat(Expr.restore(Expr.Op.COL, "delay", null, null, List.of())).isEqualTo(col("delay"));
    assertThat(Expr.restore(Expr.Op.GT, null, null, null, List.of(col("delay"), lit(15))))
        .isEqualTo(col("delay").gt(lit(15)));
    assertThatThrownBy(() -> Expr.restore(Expr.Op.COL, null, null, null, List.of()))
        .isInstanceOf(DefinitionException.class);
    assertThatThrownBy(() -> Expr.restore(Expr.Op.LIT, null, 3L, ValueType.STRING, List.of()))
        .isInstanceOf(DefinitionException.class);
    assertThatThrownBy(() -> Expr.restore(Expr.Op.NOT, null, null, null, List.of()))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("not takes 1 operand(s)");
    assertThatThrownBy(() -> Expr.restore(Expr.Op.CAST, null, null, ValueType.INT64, List.of()))
        .isInstanceOf(DefinitionException.class);
  }
}
