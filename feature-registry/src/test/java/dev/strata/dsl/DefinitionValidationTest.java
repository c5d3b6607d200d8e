package dev.strata.dsl;

import static dev.strata.dsl.Features.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Builders refuse bad definitions with a message naming the object, the field and the value. */
class DefinitionValidationTest {
  static final Entity USER = Entity.builder("user").joinKey("user_id", INT64).build();

  static Source.Builder events() {
    return Source.builder("events")
        .parquet("/data/events")
        .eventTimestamp("ts")
        .column("ts", TIMESTAMP)
        .column("user_id", INT64)
        .column("amount", FLOAT64)
        .column("country", STRING);
  }

  static FeatureView.Builder view() {
    return FeatureView.builder("user_stats").entity(USER).source(events().build());
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad(
            "empty entity name",
            () -> Entity.builder("").joinKey("id", INT64).build(),
            "Cannot build entity: name must not be empty"),
        bad(
            "upper-case name",
            () -> Entity.builder("User").joinKey("id", INT64).build(),
            "Cannot build entity 'User': name 'User' must be lower case"),
        bad(
            "entity without keys",
            () -> Entity.builder("user").build(),
            "Cannot build entity 'user': needs at least one join key"),
        bad(
            "float join key",
            () -> Entity.builder("user").joinKey("score", FLOAT64).build(),
            "join key 'score' has type FLOAT64"),
        bad(
            "duplicate join key",
            () -> Entity.builder("user").joinKey("id", INT64).joinKey("id", INT64).build(),
            "join key 'id' appears twice"),
        bad(
            "reserved join key",
            () -> Entity.builder("user").joinKey("event_timestamp", INT64).build(),
            "join key 'event_timestamp' is a reserved column name"),
        bad(
            "source without location",
            () -> Source.builder("events").eventTimestamp("ts").column("ts", TIMESTAMP).build(),
            "Cannot build source 'events': needs a location"),
        bad(
            "source timestamp not declared",
            () -> events().eventTimestamp("when").build(),
            "event timestamp column 'when' is not a declared column"),
        bad(
            "source timestamp not a timestamp",
            () -> events().eventTimestamp("amount").build(),
            "event timestamp column 'amount' has type FLOAT64, expected TIMESTAMP"),
        bad(
            "source column twice",
            () -> events().column("amount", FLOAT64).build(),
            "column 'amount' is declared twice"),
        bad(
            "source mapping to unknown column",
            () -> events().rename("amt", "amt2").build(),
            "column mapping 'amt' -> 'amt2' names a column that is not declared"),
        bad(
            "reserved source column",
            () -> events().column("__row", INT64).build(),
            "column '__row' is a reserved column name"),
        bad(
            "view without features",
            () -> view().build(),
            "Cannot build feature view 'user_stats': defines no features"),
        bad(
            "view without entity",
            () ->
                FeatureView.builder("v")
                    .source(events().build())
                    .feature(col("amount").as("a"))
                    .build(),
            "Cannot build feature view 'v': needs at least one entity"),
        bad(
            "duplicate feature names",
            () ->
                view()
                    .feature(col("amount").as("amount_f"))
                    .aggregate(sum(col("amount")).over(Duration.ofDays(1)).as("amount_f"))
                    .build(),
            "Cannot build feature view 'user_stats': feature name 'amount_f' is used twice"),
        bad(
            "zero window",
            () -> view().aggregate(avg(col("amount")).over(Duration.ZERO).as("avg_amount")).build(),
            "Cannot build feature view 'user_stats': window PT0S of 'avg_amount' must be positive"),
        bad(
            "negative window",
            () -> view().aggregate(avg(col("amount")).over(Duration.ofHours(-1)).as("a")).build(),
            "window PT-1H of 'a' must be positive"),
        bad(
            "negative ttl",
            () -> view().ttl(Duration.ofDays(-1)).feature(col("amount").as("a")).build(),
            "ttl PT-24H must not be negative"),
        bad(
            "zero cadence",
            () -> view().every(Duration.ZERO).feature(col("amount").as("a")).build(),
            "cadence PT0S must be positive"),
        bad(
            "unknown column",
            () -> view().feature(col("price").as("p")).build(),
            "feature 'p': column 'price' is not in the source"),
        bad(
            "avg of a string",
            () -> view().aggregate(avg(col("country")).over(Duration.ofDays(1)).as("c")).build(),
            "feature 'c': avg needs a number, found STRING"),
        bad(
            "arithmetic on a string",
            () -> view().feature(col("country").plus(lit(1)).as("c")).build(),
            "feature 'c': add needs numbers, found STRING in country"),
        bad(
            "reserved feature name",
            () -> view().feature(col("amount").as("created_timestamp")).build(),
            "feature name 'created_timestamp' is a reserved column name"),
        bad(
            "feature named like a join key",
            () -> view().feature(col("amount").as("user_id")).build(),
            "feature name 'user_id' collides with a join key"),
        bad(
            "row feature passed to aggregate()",
            () -> view().aggregate(col("amount").as("a")).build(),
            "aggregate() takes an aggregation; 'a' is row-level"),
        bad(
            "join key type differs from source",
            () ->
                FeatureView.builder("v")
                    .entity(Entity.builder("c").joinKey("country", INT64).build())
                    .source(events().build())
                    .feature(col("amount").as("a"))
                    .build(),
            "join key 'country' of entity 'c' is INT64 but source 'events' has STRING"),
        bad(
            "join key missing in source",
            () ->
                FeatureView.builder("v")
                    .entity(Entity.builder("m").joinKey("merchant", STRING).build())
                    .source(events().build())
                    .feature(col("amount").as("a"))
                    .build(),
            "join key 'merchant' of entity 'm' is not a column of source 'events'"),
        bad(
            "service selects a missing feature",
            () -> view().feature(col("amount").as("a")).build().select("b"),
            "Cannot select feature 'b' of feature view 'user_stats': no such feature"),
        bad(
            "service includes a view twice",
            () -> {
              FeatureView v = view().feature(col("amount").as("a")).build();
              return FeatureService.builder("s").include(v).include(v).build();
            },
            "Cannot build feature service 's': feature view 'user_stats' is included twice"),
        bad(
            "empty service",
            () -> FeatureService.builder("s").build(),
            "Cannot build feature service 's': includes no features"),
        bad(
            "two different views with one name",
            () ->
                Definitions.builder()
                    .add(view().feature(col("amount").as("a")).build())
                    .add(view().feature(col("amount").as("b")).build())
                    .build(),
            "two different feature views are named 'user_stats'"),
        bad(
            "expectation on a column the view lacks",
            () -> view().feature(col("amount").as("a")).expect(notNull("amount")).build(),
            "Cannot build feature view 'user_stats': expectation notNull(amount): 'amount' is not a"
                + " column of the view [user_id, a]"),
        bad(
            "between on a string",
            () -> view().feature(col("country").as("c")).expect(between(col("c"), 0, 1)).build(),
            "expectation between(c, 0, 1): c is STRING, not numeric"),
        bad(
            "between with min above max",
            () -> between(col("a"), 5, 1),
            "Cannot build expectation between(a): min 5.0 exceeds max 1.0"),
        bad(
            "row count with empty bounds",
            () -> rowCount().atLeast(10).atMost(5),
            "Cannot build expectation rowCount: bounds 10..5 are empty"),
        bad(
            "an expectation twice",
            () ->
                view()
                    .feature(col("amount").as("a"))
                    .expect(notNull("a"))
                    .expect(notNull("a").warnOnly())
                    .build(),
            "expectation notNull(a) is listed twice"));
  }

  private static Arguments bad(String what, Supplier<Object> build, String message) {
    return Arguments.of(what, build, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesWithAMessageThatNamesTheProblem(String what, Supplier<Object> build, String message) {
    assertThatThrownBy(build::get)
        .isInstanceOf(DefinitionException.class)
        .hasMessageContaining(message);
  }

  @Test
  void typesAreInferredFromTheSourceSchema() {
    FeatureView v =
        view()
            .feature(col("amount").times(lit(2)).as("double_amount"))
            .feature(col("amount").gt(lit(100)).as("big"))
            .feature(col("ts").hour().as("hour"))
            .aggregate(count().over(Duration.ofDays(1)).as("n_1d"))
            .aggregate(sum(col("user_id")).over(Duration.ofDays(1)).as("id_sum"))
            .aggregate(stddev(col("amount")).over(Duration.ofDays(1)).as("sd"))
            .aggregate(max(col("country")).over(Duration.ofDays(1)).as("max_country"))
            .aggregate(last(col("amount").dividedBy(lit(3))).over(Duration.ofDays(1)).as("third"))
            .build();

    assertThat(v.features())
        .extracting(f -> f.name() + ":" + f.type())
        .containsExactly(
            "double_amount:FLOAT64",
            "big:BOOL",
            "hour:INT32",
            "n_1d:INT64",
            "id_sum:INT64",
            "sd:FLOAT64",
            "max_country:STRING",
            "third:FLOAT64");
    assertThat(v.joinKeys()).containsExactly(new JoinKey("user_id", INT64));
    assertThat(v.hasAggregations()).isTrue();
  }

  @Test
  void featureMetadataIsImmutable() {
    FeatureSpec plain = col("amount").as("a");
    FeatureSpec described = plain.description("money").owner("team").tag("unit", "usd").pii();

    assertThat(plain.metadata()).isEqualTo(Metadata.EMPTY);
    assertThat(plain.isPii()).isFalse();
    assertThat(described.metadata().description()).isEqualTo("money");
    assertThat(described.metadata().tags()).containsEntry("unit", "usd");
    assertThat(described.isPii()).isTrue();
  }
}
