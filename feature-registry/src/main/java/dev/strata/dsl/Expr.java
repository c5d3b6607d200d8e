package dev.strata.dsl;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A typed, immutable column expression over a source's columns, built with {@link Features}:
 *
 * <pre>{@code
 * Expr late = col("delay").gt(lit(15));
 * Expr speed = col("distance").dividedBy(col("air_time"));
 * }</pre>
 *
 * <p>Expressions are data: a sealed tree of immutable records ({@link Column}, {@link Literal},
 * {@link Call}, {@link Cast}), each checked when it is constructed. The registry stores them as
 * JSON trees and each engine (Spark for backfills) translates them. Their types are checked against
 * the source schema when a feature view is built.
 *
 * <p>Over 400 lines because the sealed type keeps its four records and their type rules in one
 * place.
 */
public sealed interface Expr permits Expr.Column, Expr.Literal, Expr.Call, Expr.Cast {

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

  /** The node's operation: {@code COL}, {@code LIT}, {@code CAST}, or a call's. */
  Op op();

  /** The node's operands; none for a column or a literal. */
  List<Expr> args();

  /**
   * The type of this expression over a schema of column types.
   *
   * @throws IllegalArgumentException naming the problem, for the caller to put in context
   */
  ValueType typeIn(Map<String, ValueType> schema);

  /** A column of the source, by its (mapped) name. */
  record Column(String name) implements Expr {
    public Column {
      if (name == null || name.isBlank()) {
        throw new DefinitionException("Cannot build expression: column name must not be empty");
      }
    }

    @Override
    public Op op() {
      return Op.COL;
    }

    @Override
    public List<Expr> args() {
      return List.of();
    }

    @Override
    public ValueType typeIn(Map<String, ValueType> schema) {
      ValueType t = schema.get(name);
      if (t == null) {
        throw new IllegalArgumentException(
            "column '" + name + "' is not in the source (columns: " + schema.keySet() + ")");
      }
      return t;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * A constant of a type: a Boolean for BOOL, a Long for the integer types, a Double for the
   * floating ones, a String otherwise; or null.
   */
  record Literal(Object value, ValueType type) implements Expr {
    public Literal {
      if (type == null) {
        throw new DefinitionException("Cannot build expression: literal " + value + " has no type");
      }
      Class<?> expected =
          switch (type) {
            case BOOL -> Boolean.class;
            case INT32, INT64 -> Long.class;
            case FLOAT32, FLOAT64 -> Double.class;
            default -> String.class;
          };
      if (value != null && !expected.isInstance(value)) {
        throw new DefinitionException(
            "Cannot build expression: literal "
                + value
                + " ("
                + value.getClass().getSimpleName()
                + ") is not a "
                + type);
      }
    }

    @Override
    public Op op() {
      return Op.LIT;
    }

    @Override
    public List<Expr> args() {
      return List.of();
    }

    @Override
    public ValueType typeIn(Map<String, ValueType> schema) {
      return type;
    }

    @Override
    public String toString() {
      return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }
  }

  /** A conversion to another type. */
  record Cast(Expr arg, ValueType target) implements Expr {
    public Cast {
      if (arg == null || target == null) {
        throw new DefinitionException(
            "Cannot build expression: cast needs an operand and a target type");
      }
    }

    @Override
    public Op op() {
      return Op.CAST;
    }

    @Override
    public List<Expr> args() {
      return List.of(arg);
    }

    @Override
    public ValueType typeIn(Map<String, ValueType> schema) {
      arg.typeIn(schema);
      return target;
    }

    @Override
    public String toString() {
      return "cast(" + arg + " as " + target + ")";
    }
  }

  /** An operation on operands: arithmetic, comparison, logic, null handling, time parts. */
  record Call(Op op, List<Expr> args) implements Expr {
    public Call {
      if (op == null || op == Op.COL || op == Op.LIT || op == Op.CAST) {
        throw new DefinitionException("Cannot build expression: " + op + " is not an operation");
      }
      int arity =
          switch (op) {
            case NEG, ABS, NOT, IS_NULL, IS_NOT_NULL, HOUR, DAY_OF_WEEK -> 1;
            case IF -> 3;
            default -> 2;
          };
      if (args == null
          || args.size() != arity
          || args.stream().anyMatch(java.util.Objects::isNull)) {
        throw new DefinitionException(
            "Cannot build expression: "
                + op.name().toLowerCase(Locale.ROOT)
                + " takes "
                + arity
                + " operand(s), got "
                + (args == null ? "none" : args));
      }
      args = List.copyOf(args);
    }

    @Override
    public ValueType typeIn(Map<String, ValueType> schema) {
      switch (op) {
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
          comparable(args.get(0).typeIn(schema), args.get(1).typeIn(schema));
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
              throw new IllegalArgumentException(
                  "dayOfWeek() needs a TIMESTAMP or DATE, found " + t);
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
            op.name().toLowerCase(Locale.ROOT)
                + " needs numbers, found "
                + t
                + " in "
                + args.get(i));
      }
      return t;
    }

    private void bool(Map<String, ValueType> schema, int i) {
      ValueType t = args.get(i).typeIn(schema);
      if (t != ValueType.BOOL) {
        throw new IllegalArgumentException(
            op.name().toLowerCase(Locale.ROOT) + " needs BOOL, found " + t + " in " + args.get(i));
      }
    }

    private void comparable(ValueType a, ValueType b) {
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

    /** A readable form, e.g. {@code (delay > 15)}; for messages, not for parsing. */
    @Override
    public String toString() {
      String symbol =
          switch (op) {
            case ADD -> "+";
            case SUB -> "-";
            case MUL -> "*";
            case DIV -> "/";
            case EQ -> "=";
            case NE -> "<>";
            case LT -> "<";
            case LE -> "<=";
            case GT -> ">";
            case GE -> ">=";
            case AND -> "and";
            case OR -> "or";
            default -> null;
          };
      if (symbol != null) {
        return "(" + args.get(0) + " " + symbol + " " + args.get(1) + ")";
      }
      StringBuilder sb = new StringBuilder(op.name().toLowerCase(Locale.ROOT)).append('(');
      for (int i = 0; i < args.size(); i++) {
        sb.append(i == 0 ? "" : ", ").append(args.get(i));
      }
      return sb.append(')').toString();
    }
  }

  static Expr column(String name) {
    return new Column(name);
  }

  static Expr literal(Object value, ValueType type) {
    return new Literal(value, type);
  }

  static Expr call(Op op, Expr... args) {
    return new Call(op, Arrays.asList(args));
  }

  /**
   * Rebuilds a node from its stored parts (the JSON codec), with the checks of building it.
   *
   * @throws DefinitionException when the parts do not make a node of {@code op}
   */
  static Expr restore(Op op, String column, Object literal, ValueType type, List<Expr> args) {
    if (op == null) {
      throw new DefinitionException("Cannot read expression: it has no op");
    }
    switch (op) {
      case COL:
        if (!args.isEmpty()) {
          throw new DefinitionException("Cannot read expression: a column has no operands");
        }
        return new Column(column);
      case LIT:
        if (!args.isEmpty()) {
          throw new DefinitionException("Cannot read expression: a literal has no operands");
        }
        return new Literal(literal, type);
      case CAST:
        if (args.size() != 1) {
          throw new DefinitionException(
              "Cannot read expression: a cast takes one operand, got " + args.size());
        }
        return new Cast(args.get(0), type);
      default:
        return new Call(op, args);
    }
  }

  default Expr plus(Expr other) {
    return call(Op.ADD, this, other);
  }

  default Expr minus(Expr other) {
    return call(Op.SUB, this, other);
  }

  default Expr times(Expr other) {
    return call(Op.MUL, this, other);
  }

  /** Division; always a FLOAT64, null where the divisor is zero. */
  default Expr dividedBy(Expr other) {
    return call(Op.DIV, this, other);
  }

  default Expr negate() {
    return call(Op.NEG, this);
  }

  default Expr abs() {
    return call(Op.ABS, this);
  }

  default Expr isEqual(Expr other) {
    return call(Op.EQ, this, other);
  }

  default Expr isNotEqual(Expr other) {
    return call(Op.NE, this, other);
  }

  default Expr lt(Expr other) {
    return call(Op.LT, this, other);
  }

  default Expr le(Expr other) {
    return call(Op.LE, this, other);
  }

  default Expr gt(Expr other) {
    return call(Op.GT, this, other);
  }

  default Expr ge(Expr other) {
    return call(Op.GE, this, other);
  }

  default Expr and(Expr other) {
    return call(Op.AND, this, other);
  }

  default Expr or(Expr other) {
    return call(Op.OR, this, other);
  }

  default Expr not() {
    return call(Op.NOT, this);
  }

  default Expr isNull() {
    return call(Op.IS_NULL, this);
  }

  default Expr isNotNull() {
    return call(Op.IS_NOT_NULL, this);
  }

  /** This value, or {@code fallback} where it is null. */
  default Expr orElse(Expr fallback) {
    return call(Op.COALESCE, this, fallback);
  }

  default Expr cast(ValueType target) {
    return new Cast(this, target);
  }

  /** The hour of day (0-23, UTC) of a timestamp. */
  default Expr hour() {
    return call(Op.HOUR, this);
  }

  /** The ISO day of week (1 = Monday ... 7 = Sunday, UTC) of a timestamp or date. */
  default Expr dayOfWeek() {
    return call(Op.DAY_OF_WEEK, this);
  }

  /** Turns this expression into a row-level feature with the given name. */
  default FeatureSpec as(String name) {
    return FeatureSpec.row(name, this);
  }

  /** The column names this expression reads. */
  default List<String> columns() {
    List<String> out = new ArrayList<>();
    collectColumns(out);
    return out;
  }

  private void collectColumns(List<String> out) {
    if (this instanceof Column c && !out.contains(c.name())) {
      out.add(c.name());
    }
    args().forEach(a -> a.collectColumns(out));
  }
}
