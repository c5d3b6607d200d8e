package dev.strata.dsl;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A named output of a feature view: a row-level expression ({@code col("distance").as("dist")}) or
 * a sliding-window aggregation ({@code avg(col("delay")).over(Duration.ofDays(7)).as(...)}).
 * Immutable; the {@code with}-style methods return copies.
 *
 * <pre>{@code
 * Feature f = avg(col("delay")).over(Duration.ofHours(24)).as("avg_delay_24h")
 *     .description("Mean departure delay at the origin over the last 24 hours")
 *     .owner("ops-analytics").tag("unit", "minutes");
 * }</pre>
 *
 * <p>Its {@link #type()} is known once the feature belongs to a built {@link FeatureView}.
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

  private Feature(
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
    this.type = type;
    this.metadata = metadata;
    this.pii = pii;
  }

  static Feature row(String name, Expr expr) {
    return new Feature(name, Kind.ROW, expr, null, null, null, Metadata.EMPTY, false);
  }

  static Feature aggregate(String name, AggregationFunction fn, Expr input, Duration window) {
    return new Feature(name, Kind.AGGREGATE, input, fn, window, null, Metadata.EMPTY, false);
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

  public Feature description(String description) {
    return with(metadata.withDescription(description), pii);
  }

  public Feature owner(String owner) {
    return with(metadata.withOwner(owner), pii);
  }

  public Feature tag(String key, String value) {
    return with(metadata.withTag(key, value), pii);
  }

  /** Marks the feature as personal data. */
  public Feature pii() {
    return with(metadata, true);
  }

  private Feature with(Metadata m, boolean p) {
    return new Feature(name, kind, expr, function, window, type, m, p);
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

  /** The value type; known for every feature of a built view. */
  public ValueType type() {
    if (type == null) {
      throw new IllegalStateException("feature '" + name + "' is not part of a built view yet");
    }
    return type;
  }

  public Metadata metadata() {
    return metadata;
  }

  public boolean isPii() {
    return pii;
  }

  /** Validates this feature against a view's source schema and returns it with its type. */
  Feature resolve(String view, Map<String, ValueType> schema) {
    Names.checkIdentifier("feature view", view, "feature name", name);
    Names.checkNotReserved("feature view", view, "feature name", name);
    ValueType resolved;
    try {
      ValueType input = expr == null ? null : expr.typeIn(schema);
      if (kind == Kind.ROW) {
        resolved = input;
      } else {
        if (window == null) {
          throw DefinitionException.of(
              "feature view", view, "aggregation '%s' has no window", name);
        }
        if (window.isNegative() || window.isZero()) {
          throw DefinitionException.of(
              "feature view", view, "window %s of '%s' must be positive", window, name);
        }
        if (input == null && function != AggregationFunction.COUNT) {
          throw DefinitionException.of(
              "feature view", view, "aggregation '%s' (%s) needs an input", name, function);
        }
        String why = input == null ? null : function.rejects(input);
        if (why != null) {
          throw DefinitionException.of("feature view", view, "feature '%s': %s", name, why);
        }
        resolved = function.resultType(input);
      }
    } catch (IllegalArgumentException e) {
      throw DefinitionException.of("feature view", view, "feature '%s': %s", name, e.getMessage());
    }
    return new Feature(name, kind, expr, function, window, resolved, metadata, pii);
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
