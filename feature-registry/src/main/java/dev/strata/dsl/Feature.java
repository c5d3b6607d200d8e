package dev.strata.dsl;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A typed output of a built feature view: a row-level expression or a sliding-window aggregation,
 * with the value type its view's source gives it. Features are declared as {@link FeatureSpec}s
 * ({@code col("distance").as("dist")}); building the view checks each against the source and turns
 * it into a {@code Feature}, so every {@code Feature} has a {@link #type()}.
 */
public final class Feature {

  /** Row-level or aggregation. */
  public enum Kind {
    ROW,
    AGGREGATE
  }

  private final String name;
  private final Kind kind;
  private final Expr expr;
  private final AggregationFunction function;
  private final Duration window;
  private final ValueType type;
  private final Metadata metadata;
  private final boolean pii;

  Feature(
      String name,
      Kind kind,
      Expr expr,
      AggregationFunction function,
      Duration window,
      ValueType type,
      Metadata metadata,
      boolean pii) {
    this.name = name;
    this.kind = kind;
    this.expr = expr;
    this.function = function;
    this.window = window;
    this.type = Objects.requireNonNull(type, "type");
    this.metadata = metadata;
    this.pii = pii;
  }

  /** Rebuilds a typed feature from its stored form; used by the JSON codec. */
  public static Feature restore(
      String name,
      Kind kind,
      Expr expr,
      AggregationFunction function,
      Duration window,
      ValueType type,
      Metadata metadata,
      boolean pii) {
    Names.checkIdentifier("feature", name, "name", name);
    if (kind == null || type == null || expr == null && kind == Kind.ROW) {
      throw DefinitionException.of(
          "feature",
          name,
          "a stored feature needs a kind, a type and, for a row feature, an expression");
    }
    if (kind == Kind.AGGREGATE
        && (function == null || window == null || window.isNegative() || window.isZero())) {
      throw DefinitionException.of(
          "feature",
          name,
          "a stored aggregation needs a function and a positive window, not %s",
          window);
    }
    return new Feature(
        name,
        kind,
        expr,
        function,
        window,
        type,
        metadata == null ? Metadata.EMPTY : metadata,
        pii);
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isAggregate() {
    return kind == Kind.AGGREGATE;
  }

  /** The row-level expression, or the aggregation's input (empty for {@code count()}). */
  public Optional<Expr> expr() {
    return Optional.ofNullable(expr);
  }

  public Optional<AggregationFunction> function() {
    return Optional.ofNullable(function);
  }

  public Optional<Duration> window() {
    return Optional.ofNullable(window);
  }

  /** The value type, checked against the source when its view was built. */
  public ValueType type() {
    return type;
  }

  public Metadata metadata() {
    return metadata;
  }

  public boolean isPii() {
    return pii;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Feature)) {
      return false;
    }
    Feature f = (Feature) o;
    return name.equals(f.name)
        && kind == f.kind
        && Objects.equals(expr, f.expr)
        && function == f.function
        && Objects.equals(window, f.window)
        && type == f.type
        && metadata.equals(f.metadata)
        && pii == f.pii;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, expr, function, window, type, metadata, pii);
  }

  @Override
  public String toString() {
    return kind == Kind.ROW
        ? name + " = " + expr
        : name
            + " = "
            + function.name().toLowerCase()
            + "("
            + (expr == null ? "" : expr)
            + ") over "
            + window;
  }
}
