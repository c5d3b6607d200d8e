package dev.strata.dsl;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A feature as declared, before its view is built: a row-level expression ({@code
 * col("distance").as("dist")}) or a sliding-window aggregation ({@code
 * avg(col("delay")).over(Duration.ofDays(7)).as(...)}), with its metadata. Immutable; the metadata
 * methods return copies. Building a {@link FeatureView} checks it against the source and makes it a
 * typed {@link Feature}.
 *
 * <pre>{@code
 * FeatureSpec f = avg(col("delay")).over(Duration.ofHours(24)).as("avg_delay_24h")
 *     .description("Mean departure delay at the origin over the last 24 hours")
 *     .owner("ops-analytics").tag("unit", "minutes");
 * }</pre>
 */
public final class FeatureSpec {
  private final String name;
  private final Feature.Kind kind;
  private final Expr expr;
  private final AggregationFunction function;
  private final Duration window;
  private final Metadata metadata;
  private final boolean pii;

  private FeatureSpec(
      String name,
      Feature.Kind kind,
      Expr expr,
      AggregationFunction function,
      Duration window,
      Metadata metadata,
      boolean pii) {
    this.name = name;
    this.kind = kind;
    this.expr = expr;
    this.function = function;
    this.window = window;
    this.metadata = metadata;
    this.pii = pii;
  }

  static FeatureSpec row(String name, Expr expr) {
    return new FeatureSpec(name, Feature.Kind.ROW, expr, null, null, Metadata.EMPTY, false);
  }

  static FeatureSpec aggregate(String name, AggregationFunction fn, Expr input, Duration window) {
    return new FeatureSpec(name, Feature.Kind.AGGREGATE, input, fn, window, Metadata.EMPTY, false);
  }

  /** A spec of all its parts, for a feature rebuilt from its stored form. */
  static FeatureSpec of(
      String name,
      Feature.Kind kind,
      Expr expr,
      AggregationFunction function,
      Duration window,
      Metadata metadata,
      boolean pii) {
    return new FeatureSpec(name, kind, expr, function, window, metadata, pii);
  }

  public FeatureSpec description(String description) {
    return with(metadata.withDescription(description), pii);
  }

  public FeatureSpec owner(String owner) {
    return with(metadata.withOwner(owner), pii);
  }

  public FeatureSpec tag(String key, String value) {
    return with(metadata.withTag(key, value), pii);
  }

  /** Marks the feature as personal data. */
  public FeatureSpec pii() {
    return with(metadata, true);
  }

  private FeatureSpec with(Metadata m, boolean p) {
    return new FeatureSpec(name, kind, expr, function, window, m, p);
  }

  public String name() {
    return name;
  }

  public Feature.Kind kind() {
    return kind;
  }

  public boolean isAggregate() {
    return kind == Feature.Kind.AGGREGATE;
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
      if (kind == Feature.Kind.ROW) {
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
    return new Feature(this, resolved);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof FeatureSpec)) {
      return false;
    }
    FeatureSpec f = (FeatureSpec) o;
    return name.equals(f.name)
        && kind == f.kind
        && Objects.equals(expr, f.expr)
        && function == f.function
        && Objects.equals(window, f.window)
        && metadata.equals(f.metadata)
        && pii == f.pii;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, expr, function, window, metadata, pii);
  }

  @Override
  public String toString() {
    return kind == Feature.Kind.ROW
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
