package dev.strata.offline;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dayofweek;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import dev.strata.dsl.Expr;
import dev.strata.dsl.ValueType;
import java.util.List;
import org.apache.spark.sql.Column;

/** Compiles the DSL's typed expressions into Spark columns. */
public final class ExprColumns {
  private ExprColumns() {}

  public static Column of(Expr e) {
    if (e instanceof Expr.Column c) {
      return col("`" + c.name() + "`");
    }
    if (e instanceof Expr.Literal l) {
      return lit(l.value()).cast(SparkTypes.of(l.type()));
    }
    if (e instanceof Expr.Cast c) {
      return of(c.arg()).cast(SparkTypes.of(c.target()));
    }
    List<Expr> a = e.args();
    return switch (e.op()) {
      case COL, LIT, CAST -> throw new IllegalStateException("not a call: " + e);
      case ADD -> of(a.get(0)).plus(of(a.get(1)));
      case SUB -> of(a.get(0)).minus(of(a.get(1)));
      case MUL -> of(a.get(0)).multiply(of(a.get(1)));
      case DIV -> of(a.get(0)).cast("double").divide(of(a.get(1)).cast("double"));
      case NEG -> of(a.get(0)).unary_$minus();
      case ABS -> abs(of(a.get(0)));
      case EQ -> of(a.get(0)).equalTo(of(a.get(1)));
      case NE -> of(a.get(0)).notEqual(of(a.get(1)));
      case LT -> of(a.get(0)).lt(of(a.get(1)));
      case LE -> of(a.get(0)).leq(of(a.get(1)));
      case GT -> of(a.get(0)).gt(of(a.get(1)));
      case GE -> of(a.get(0)).geq(of(a.get(1)));
      case AND -> of(a.get(0)).and(of(a.get(1)));
      case OR -> of(a.get(0)).or(of(a.get(1)));
      case NOT -> not(of(a.get(0)));
      case IS_NULL -> of(a.get(0)).isNull();
      case IS_NOT_NULL -> of(a.get(0)).isNotNull();
      case COALESCE -> coalesce(of(a.get(0)), of(a.get(1)));
      case IF -> when(of(a.get(0)), of(a.get(1))).otherwise(of(a.get(2)));
      case HOUR -> hour(of(a.get(0)));
      // Spark: 1 = Sunday ... 7 = Saturday; the DSL: ISO, 1 = Monday ... 7 = Sunday
      case DAY_OF_WEEK -> dayofweek(of(a.get(0))).plus(5).mod(7).plus(1);
    };
  }

  /** The expression as a column of exactly the given type. */
  public static Column typed(Expr e, ValueType type) {
    return of(e).cast(SparkTypes.of(type));
  }
}
