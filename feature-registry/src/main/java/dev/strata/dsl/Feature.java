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

  private final FeatureSpec spec;
  private final ValueType type;

  Feature(FeatureSpec spec, ValueType type) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.type = Objects.requireNonNull(type, "type");
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
        FeatureSpec.of(
            name, kind, expr, function, window, metadata == null ? Metadata.EMPTY : metadata, pii),
        type);
  }

  /** The declared form, without its type (to check it again against another source). */
  FeatureSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  public Kind kind() {
    return spec.kind();
  }

  public boolean isAggregate() {
    return spec.isAggregate();
  }

  /** The row-level expression, or the aggregation's input (empty for {@code count()}). */
  public Optional<Expr> expr() {
    return spec.expr();
  }

  public Optional<AggregationFunction> function() {
    return spec.function();
  }

  public Optional<Duration> window() {
    return spec.window();
  }

  /** The value type, checked against the source when its view was built. */
  public ValueType type() {
    return type;
  }

  public Metadata metadata() {
    return spec.metadata();
  }

  public boolean isPii() {
    return spec.isPii();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Feature f && spec.equals(f.spec) && type == f.type;
  }

  @Override
  public int hashCode() {
    return Objects.hash(spec, type);
  }

  @Override
  public String toString() {
    return spec.toString();
  }
}
