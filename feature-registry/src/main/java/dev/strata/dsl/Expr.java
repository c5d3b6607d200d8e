package dev.strata.dsl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A typed, immutable column expression over a source's columns, built with {@link Features}:
 *
 * <pre>{@code
 * Expr late = col("delay").gt(lit(15));
 * Expr speed = col("distance").dividedBy(col("air_time"));
 * }</pre>
 *
 * <p>Expressions are data: the registry stores them as JSON trees and each engine (Spark for
 * backfills) translates them. Their types are checked against the source schema when a feature
 * view is built.
 */
public final class Expr {

  /** The operations an expression node can have. */
  public enum Op {
    COL,
    LIT,
    ADD,
    SUB,
    MUL,
    DIV,
    NEG,
    ABS,
    EQ,
    NE,
    LT,
    LE,
    GT,
    GE,
    AND,
    OR,
    NOT,
    IS_NULL,
    IS_NOT_NULL,
    COALESCE,
    IF,
    CAST,
    HOUR,
    DAY_OF_WEEK
  }

  private final Op op;
  private final String column;
  private final Object literal;
  private final ValueType type;
  private final List<Expr> args;

  private Expr(Op op, String column, Object literal, ValueType type, List<Expr> args) {
    this.op = op;
    this.column = column;
    this.literal = literal;
    this.type = type;
    this.args = List.copyOf(args);
  }

  static Expr column(String name) {
    if (name == null || name.isBlank()) {
      throw new DefinitionException("Cannot build expression: column name must not be empty");
    }
    return new Expr(Op.COL, name, null, null, List.of());
  }

  static Expr literal(Object value, ValueType type) {
    return new Expr(Op.LIT, null, value, Objects.requireNonNull(type, "type"), List.of());
  }

  static Expr call(Op op, Expr... args) {
    for (Expr arg : args) {
      Objects.requireNonNull(arg, () -> "argument of " + op);
    }
    return new Expr(op, null, null, null, Arrays.asList(args));
  }

  /** Rebuilds a node from its parts; used by the JSON codec. */
  public static Expr of(Op op, String column, Object literal, ValueType type, List<Expr> args) {
    return new Expr(op, column, literal, type, args);
  }

  public Op op() {
    return op;
  }

  /** The column name of a {@link Op#COL} node, else {@code null}. */
  public String column() {
    return column;
  }

  /** The value of a {@link Op#LIT} node (Boolean, Long, Double, String or null). */
  public Object literal() {
    return literal;
  }

  /** The literal's type, or the target type of a {@link Op#CAST}; {@code null} otherwise. */
  public ValueType declaredType() {
    return type;
  }

  public List<Expr> args() {
    return args;
  }

  public Expr plus(Expr other) {
    return call(Op.ADD, this, other);
  }

  public Expr minus(Expr other) {
    return call(Op.SUB, this, other);
  }

  public Expr times(Expr other) {
    return call(Op.MUL, this, other);
  }

  /** Division; always a FLOAT64, null where the divisor is zero. */
  public Expr dividedBy(Expr other) {
    return call(Op.DIV, this, other);
  }

  public Expr negate() {
    return call(Op.NEG, this);
  }

  public Expr abs() {
    return call(Op.ABS, this);
  }

  public Expr isEqual(Expr other) {
    return call(Op.EQ, this, other);
  }

  public Expr isNotEqual(Expr other) {
    return call(Op.NE, this, other);
  }

  public Expr lt(Expr other) {
    return call(Op.LT, this, other);
  }

  public Expr le(Expr other) {
    return call(Op.LE, this, other);
  }

  public Expr gt(Expr other) {
    return call(Op.GT, this, other);
  }

  public Expr ge(Expr other) {
    return call(Op.GE, this, other);
  }

  public Expr and(Expr other) {
    return call(Op.AND, this, other);
  }

  public Expr or(Expr other) {
    return call(Op.OR, this, other);
  }

  public Expr not() {
    return call(Op.NOT, this);
  }

  public Expr isNull() {
    return call(Op.IS_NULL, this);
  }

  public Expr isNotNull() {
    return call(Op.IS_NOT_NULL, this);
  }

  /** This value, or {@code fallback} where it is null. */
  public Expr orElse(Expr fallback) {
    return call(Op.COALESCE, this, fallback);
  }

  public Expr cast(ValueType target) {
    return new Expr(Op.CAST, null, null, Objects.requireNonNull(target, "target"), List.of(this));
  }

  /** The hour of day (0-23, UTC) of a timestamp. */
  public Expr hour() {
    return call(Op.HOUR, this);
  }

  /** The ISO day of week (1 = Monday ... 7 = Sunday, UTC) of a timestamp or date. */
  public Expr dayOfWeek() {
    return call(Op.DAY_OF_WEEK, this);
  }

  /** Turns this expression into a row-level feature with the given name. */
  public Feature as(String name) {
    return Feature.row(name, this);
  }

  /** The column names this expression reads. */
  public List<String> columns() {
    List<String> out = new ArrayList<>();
    collectColumns(out);
    return out;
  }

  private void collectColumns(List<String> out) {
    if (op == Op.COL && !out.contains(column)) {
      out.add(column);
    }
    args.forEach(a -> a.collectColumns(out));
  }

  /**
   * The type of this expression over a schema of column types.
   *
   * @throws IllegalArgumentException naming the problem, for the caller to put in context
   */
  public ValueType typeIn(Map<String, ValueType> schema) {
    switch (op) {
      case COL:
        {
          ValueType t = schema.get(column);
          if (t == null) {
            throw new IllegalArgumentException(
                "column '" + column + "' is not in the source (columns: " + schema.keySet() + ")");
          }
          return t;
        }
      case LIT:
        return type;
      case ADD:
      case SUB:
      case MUL:
        return ValueType.widen(numeric(schema, 0), numeric(schema, 1));
      case DIV:
        numeric(schema, 0);
        numeric(schema, 1);
        return ValueType.FLOAT64;
      case NEG:
      case ABS:
        return numeric(schema, 0);
      case EQ:
      case NE:
      case LT:
      case LE:
      case GT:
      case GE:
        comparable(schema, args.get(0).typeIn(schema), args.get(1).typeIn(schema));
        return ValueType.BOOL;
      case AND:
      case OR:
        bool(schema, 0);
        bool(schema, 1);
        return ValueType.BOOL;
      case NOT:
        bool(schema, 0);
        return ValueType.BOOL;
      case IS_NULL:
      case IS_NOT_NULL:
        args.get(0).typeIn(schema);
        return ValueType.BOOL;
      case COALESCE:
        return common(args.get(0).typeIn(schema), args.get(1).typeIn(schema));
      case IF:
        bool(schema, 0);
        return common(args.get(1).typeIn(schema), args.get(2).typeIn(schema));
      case CAST:
        args.get(0).typeIn(schema);
        return type;
      case HOUR:
        {
          ValueType t = args.get(0).typeIn(schema);
          if (t != ValueType.TIMESTAMP) {
            throw new IllegalArgumentException("hour() needs a TIMESTAMP, found " + t);
          }
          return ValueType.INT32;
        }
      case DAY_OF_WEEK:
        {
          ValueType t = args.get(0).typeIn(schema);
          if (t != ValueType.TIMESTAMP && t != ValueType.DATE) {
            throw new IllegalArgumentException("dayOfWeek() needs a TIMESTAMP or DATE, found " + t);
          }
          return ValueType.INT32;
        }
      default:
        throw new IllegalStateException("unknown op " + op);
    }
  }

  private ValueType numeric(Map<String, ValueType> schema, int i) {
    ValueType t = args.get(i).typeIn(schema);
    if (!t.isNumeric()) {
      throw new IllegalArgumentException(
          op.name().toLowerCase() + " needs numbers, found " + t + " in " + args.get(i));
    }
    return t;
  }

  private void bool(Map<String, ValueType> schema, int i) {
    ValueType t = args.get(i).typeIn(schema);
    if (t != ValueType.BOOL) {
      throw new IllegalArgumentException(
          op.name().toLowerCase() + " needs BOOL, found " + t + " in " + args.get(i));
    }
  }

  private void comparable(Map<String, ValueType> schema, ValueType a, ValueType b) {
    if (a == b || (a.isNumeric() && b.isNumeric())) {
      return;
    }
    throw new IllegalArgumentException("cannot compare " + a + " with " + b + " in " + this);
  }

  private static ValueType common(ValueType a, ValueType b) {
    if (a == b) {
      return a;
    }
    if (a.isNumeric() && b.isNumeric()) {
      return ValueType.widen(a, b);
    }
    throw new IllegalArgumentException("branches have different types: " + a + " and " + b);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Expr)) {
      return false;
    }
    Expr e = (Expr) o;
    return op == e.op
        && Objects.equals(column, e.column)
        && Objects.equals(literal, e.literal)
        && type == e.type
        && args.equals(e.args);
  }

  @Override
  public int hashCode() {
    return Objects.hash(op, column, literal, type, args);
  }

  /** A readable form, e.g. {@code (delay > 15)}; for messages, not for parsing. */
  @Override
  public String toString() {
    switch (op) {
      case COL:
        return column;
      case LIT:
        return literal instanceof String ? "'" + literal + "'" : String.valueOf(literal);
      case ADD:
        return infix("+");
      case SUB:
        return infix("-");
      case MUL:
        return infix("*");
      case DIV:
        return infix("/");
      case EQ:
        return infix("=");
      case NE:
        return infix("<>");
      case LT:
        return infix("<");
      case LE:
        return infix("<=");
      case GT:
        return infix(">");
      case GE:
        return infix(">=");
      case AND:
        return infix("and");
      case OR:
        return infix("or");
      case CAST:
        return "cast(" + args.get(0) + " as " + type + ")";
      default:
        StringBuilder sb = new StringBuilder(op.name().toLowerCase()).append('(');
        for (int i = 0; i < args.size(); i++) {
          sb.append(i == 0 ? "" : ", ").append(args.get(i));
        }
        return sb.append(')').toString();
    }
  }

  private String infix(String symbol) {
    return "(" + args.get(0) + " " + symbol + " " + args.get(1) + ")";
  }
}
