package dev.strata.dsl;

import static dev.strata.dsl.Features.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec's restore factories check what they rebuild, as the builders do. */
class RestoreTest {
  static final Feature X =
      Feature.restore("x", Feature.Kind.ROW, col("x"), null, null, ValueType.INT64, null, false);
  static final List<JoinKey> KEYS = List.of(new JoinKey("id", ValueType.INT64));

  @Test
  void aWellFormedViewIsRebuilt() {
    FeatureView v =
        FeatureView.restore(
            "v",
            List.of("e"),
            KEYS,
            "s",
            Duration.ZERO,
            Duration.ofDays(1),
            List.of(X),
            true,
            null);
    assertThat(v.feature("x")).isPresent();
    assertThat(v.metadata()).isEqualTo(Metadata.EMPTY);
  }

  @Test
  void malformedStoredFormsAreRefused() {
    assertThatThrownBy(
            () ->
                FeatureView.restore(
                    "v",
                    List.of("e"),
                    KEYS,
                    "s",
                    Duration.ofDays(-1),
                    Duration.ofDays(1),
                    List.of(X),
                    true,
                    null))
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining("ttl PT-24H must not be negative");
    assertThatThrownBy(
            () ->
                FeatureView.restore(
                    "v",
                    List.of("e"),
                    KEYS,
                    "s",
                    Duration.ZERO,
                    Duration.ZERO,
                    List.of(X),
                    true,
                    null))
        .isInstanceOf(DefinitionException.class);
    assertThatThrownBy(
            () ->
                FeatureView.restore(
                    "v",
                    List.of("e"),
                    KEYS,
                    "s",
                    Duration.ZERO,
                    Duration.ofDays(1),
                    List.of(X, X),
                    true,
                    null))
        .hasMessageContaining("feature name 'x' is used twice");
    assertThatThrownBy(
            () ->
                Feature.restore(
                    "n",
                    Feature.Kind.AGGREGATE,
                    col("x"),
                    AggregationFunction.SUM,
                    Duration.ZERO,
                    ValueType.INT64,
                    null,
                    false))
        .hasMessageContaining("positive window");
    assertThatThrownBy(
            () ->
                Feature.restore(
                    "Bad Name",
                    Feature.Kind.ROW,
                    col("x"),
                    null,
                    null,
                    ValueType.INT64,
                    null,
                    false))
        .isInstanceOf(DefinitionException.class);
    assertThatThrownBy(() -> FeatureService.restore("svc", List.of(), null))
        .hasMessageContaining("selects no features");
  }
}
