package dev.strata.registry;

import static dev.strata.dsl.Features.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DefinitionCodecTest {
  @Test
  void everyDefinitionSurvivesARoundTrip() {
    Definitions defs = Fixtures.repository();
    for (Definition d :
        Definitions.builder()
            .addAll(defs.entities().toArray(Definition[]::new))
            .build()
            .entities()) {
      assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(d))).isEqualTo(d);
    }
    for (Definition d : defs.sources()) {
      assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(d))).isEqualTo(d);
    }
    for (Definition d : defs.featureViews()) {
      assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(d))).isEqualTo(d);
    }
    for (Definition d : defs.featureServices()) {
      assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(d))).isEqualTo(d);
    }
  }

  @Test
  void expressionsOfEveryShapeSurviveARoundTrip() {
    Source s =
        Source.builder("s")
            .hudi("/h")
            .eventTimestamp("ts")
            .column("ts", TIMESTAMP)
            .column("k", STRING)
            .column("x", INT64)
            .column("y", FLOAT64)
            .column("b", BOOL)
            .rename("raw_x", "x")
            .build();
    FeatureView v =
        FeatureView.builder("v")
            .entity(dev.strata.dsl.Entity.builder("e").joinKey("k", STRING).build())
            .source(s)
            .feature(
                ifThen(col("b").and(col("x").ge(lit(3)).not()), col("y").abs(), lit(-1.5)).as("f1"))
            .feature(col("x").cast(FLOAT32).minus(col("y").negate()).as("f2"))
            .feature(col("k").isEqual(lit("o'hare")).or(col("k").isNull()).as("f3"))
            .feature(col("ts").dayOfWeek().as("f4"))
            .feature(col("y").orElse(lit(0.0)).as("f5").pii().tag("t", "1"))
            .aggregate(count(col("y")).over(Duration.ofMinutes(90)).as("f6"))
            .build();

    assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(v))).isEqualTo(v);
    assertThat(DefinitionCodec.fromJson(DefinitionCodec.toJson(s))).isEqualTo(s);
  }

  @Test
  void theHashIsStableAndFollowsContent() throws Exception {
    FeatureView a = Fixtures.repository().featureView("user_spend").orElseThrow();
    FeatureView same = Fixtures.repository().featureView("user_spend").orElseThrow();
    FeatureView other =
        Fixtures.repository(Fixtures.SPEND_7D.owner("someone"), true)
            .featureView("user_spend")
            .orElseThrow();

    assertThat(DefinitionCodec.contentHash(a))
        .isEqualTo(DefinitionCodec.contentHash(same))
        .hasSize(64);
    assertThat(DefinitionCodec.contentHash(a)).isNotEqualTo(DefinitionCodec.contentHash(other));

    JsonNode json = new ObjectMapper().readTree(DefinitionCodec.toJson(a));
    assertThat(json.get("kind").asText()).isEqualTo("feature_view");
    assertThat(json.get("ttl").asText()).isEqualTo("PT720H");
    assertThat(json.at("/features/1/function").asText()).isEqualTo("sum");
    assertThat(json.at("/features/1/window").asText()).isEqualTo("PT168H");
    assertThat(json.at("/features/1/expr/op").asText()).isEqualTo("col");
    assertThat(json.at("/features/1/expr/name").asText()).isEqualTo("amount");
  }

  @Test
  void expectationsSurviveARoundTripAndAViewWithoutKeepsItsHash() throws Exception {
    FeatureView plain = Fixtures.repository().featureView("user_spend").orElseThrow();
    String plainJson = DefinitionCodec.toJson(plain);
    assertThat(new ObjectMapper().readTree(plainJson).has("expectations")).isFalse();

    Source s = Fixtures.repository().sources().iterator().next();
    FeatureView v =
        FeatureView.builder("checked")
            .entity(Fixtures.USER)
            .source(s)
            .feature(col("amount").as("last_amount"))
            .expect(notNull("last_amount"))
            .expect(between(col("last_amount").times(lit(2)), -60, 1440.5).warnOnly())
            .expect(rowCount().atLeast(1000))
            .expect(rowCount().atMost(7).warnOnly())
            .expect(freshness(Duration.ofHours(2)))
            .build();
    FeatureView back = DefinitionCodec.fromJson(DefinitionCodec.toJson(v), FeatureView.class);
    assertThat(back).isEqualTo(v);
    assertThat(back.expectations())
        .extracting(dev.strata.dsl.Expectation::describe)
        .containsExactly(
            "notNull(last_amount)",
            "between((last_amount * 2), -60, 1440.5)",
            "rowCount().atLeast(1000)",
            "rowCount().atLeast(0).atMost(7)",
            "freshness(PT2H)");
    assertThat(DefinitionCodec.contentHash(back)).isEqualTo(DefinitionCodec.contentHash(v));
    assertThat(DefinitionCodec.contentHash(v)).isNotEqualTo(DefinitionCodec.contentHash(plain));
  }
}
