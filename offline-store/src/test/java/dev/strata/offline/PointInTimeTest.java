package dev.strata.offline;

import static dev.strata.dsl.AggregationFunction.AVG;
import static dev.strata.dsl.AggregationFunction.COUNT;
import static dev.strata.dsl.AggregationFunction.LAST;
import static dev.strata.dsl.AggregationFunction.MAX;
import static dev.strata.dsl.AggregationFunction.MIN;
import static dev.strata.dsl.AggregationFunction.STDDEV;
import static dev.strata.dsl.AggregationFunction.SUM;
import static dev.strata.dsl.Features.FLOAT64;
import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.lit;
import static org.apache.spark.sql.functions.to_timestamp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.AggregationFunction;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Features;
import dev.strata.dsl.Source;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The point-in-time join and the windows against {@link BruteForce} on randomized data with fixed
 * seeds: equal timestamps, TTL exactly at the bound, ties on event and created time, null created
 * times, exact-duplicate events, null keys, two-column keys whose concatenations collide ((1,"12")
 * vs (11,"2")), two views in one request, duplicate entity rows, entity times written in different
 * time zones.
 */
@ExtendWith(SharedSparkSession.class)
class PointInTimeTest {
  static final Instant BASE = Instant.parse("2024-03-01T00:00:00Z");
  static final Duration TTL = Duration.ofMinutes(10);
  static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

  static final Entity PAIR =
      Entity.builder("pair").joinKey("a", INT64).joinKey("b", STRING).build();
  static final Entity SINGLE = Entity.builder("single").joinKey("a", INT64).build();

  static final Source EVENTS =
      Source.builder("events")
          .parquet("unused")
          .eventTimestamp("ts")
          .createdTimestamp("created")
          .column("a", INT64)
          .column("b", STRING)
          .column("ts", TIMESTAMP)
          .column("created", TIMESTAMP)
          .column("x", INT64)
          .column("y", FLOAT64)
          .build();

  /** name, function, window minutes, input column (null: rows). */
  record Agg(String name, AggregationFunction fn, int minutes, String input) {}

  static final List<Agg> AGGS =
      List.of(
          new Agg("cnt10", COUNT, 10, null),
          new Agg("sx30", SUM, 30, "x"),
          new Agg("ay10", AVG, 10, "y"),
          new Agg("mnx20", MIN, 20, "x"),
          new Agg("mxy20", MAX, 20, "y"),
          new Agg("lx15", LAST, 15, "x"),
          new Agg("sdy30", STDDEV, 30, "y"),
          new Agg("cx20", COUNT, 20, "x"),
          new Agg("sy10", SUM, 10, "y"));

  static final FeatureView PAIR_VIEW = pairView();
  static final FeatureView SINGLE_VIEW =
      FeatureView.builder("single_view")
          .entity(SINGLE)
          .source(EVENTS)
          .ttl(Duration.ZERO)
          .every(Duration.ofMinutes(10))
          .feature(col("x").times(lit(2)).as("xb"))
          .aggregate(Features.count().over(Duration.ofHours(1)).as("cb"))
          .build();

  /** Aggregations only, none of them last(): the sweep sorts without tie-breaks here. */
  static final FeatureView WINDOWS_VIEW =
      FeatureView.builder("windows_view")
          .entity(SINGLE)
          .source(EVENTS)
          .aggregate(Features.avg(col("y")).over(Duration.ofMinutes(25)).as("wy25"))
          .aggregate(Features.sum(col("x")).over(Duration.ofMinutes(5)).as("wx5"))
          .aggregate(Features.count().over(Duration.ofMinutes(1)).as("wc1"))
          .build();

  static FeatureView pairView() {
    FeatureView.Builder b =
        FeatureView.builder("pair_view")
            .entity(PAIR)
            .source(EVENTS)
            .ttl(TTL)
            .every(Duration.ofMinutes(10))
            .feature(col("x").plus(lit(1L)).as("x1"))
            .feature(col("y").as("yy"));
    for (Agg a : AGGS) {
      Duration w = Duration.ofMinutes(a.minutes());
      var agg =
          switch (a.fn()) {
            case COUNT -> a.input() == null ? Features.count() : Features.count(col(a.input()));
            case SUM -> Features.sum(col(a.input()));
            case AVG -> Features.avg(col(a.input()));
            case MIN -> Features.min(col(a.input()));
            case MAX -> Features.max(col(a.input()));
            case LAST -> Features.last(col(a.input()));
            case STDDEV -> Features.stddev(col(a.input()));
          };
      b.aggregate(agg.over(w).as(a.name()));
    }
    return b.build();
  }

  static final StructType EVENT_SCHEMA =
      new StructType()
          .add("a", DataTypes.LongType)
          .add("b", DataTypes.StringType)
          .add("ts", DataTypes.TimestampType)
          .add("created", DataTypes.TimestampType)
          .add("x", DataTypes.LongType)
          .add("y", DataTypes.DoubleType);

  /** A source row as the brute force sees it. */
  record Raw(Long a, String b, Instant ts, Instant created, Long x, Double y) {
    Row row() {
      return RowFactory.create(
          a, b, Timestamp.from(ts), created == null ? null : Timestamp.from(created), x, y);
    }
  }

  static final Long[] AS = {1L, 11L, 2L};
  static final String[] BS = {"12", "2", "x"};

  static List<Raw> randomEvents(Random rnd, int n) {
    List<Raw> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Long a = rnd.nextInt(20) == 0 ? null : AS[rnd.nextInt(AS.length)];
      String b = rnd.nextInt(20) == 0 ? null : BS[rnd.nextInt(BS.length)];
      Instant ts = BASE.plus(Duration.ofMinutes(rnd.nextInt(120)));
      Instant created = rnd.nextInt(4) == 0 ? null : BASE.plus(Duration.ofMinutes(rnd.nextInt(3)));
      Long x = rnd.nextInt(10) == 0 ? null : (long) rnd.nextInt(21);
      Double y = rnd.nextInt(10) == 0 ? null : rnd.nextInt(41) / 4.0;
      Raw r = new Raw(a, b, ts, created, x, y);
      out.add(r);
      if (rnd.nextInt(10) == 0) {
        out.add(r); // an exact duplicate
      }
    }
    return out;
  }

  /** Events for the pair view: values are the sweep's value columns (x+1, y, x, y). */
  static List<BruteForce.Event> pairEvents(List<Raw> raws) {
    List<BruteForce.Event> out = new ArrayList<>();
    for (Raw r : raws) {
      if (r.a() == null || r.b() == null) {
        continue;
      }
      out.add(
          new BruteForce.Event(
              Arrays.asList(r.a(), r.b()),
              r.ts(),
              r.created(),
              Arrays.asList(r.x() == null ? null : r.x() + 1, r.y(), r.x(), r.y())));
    }
    return out;
  }

  static List<BruteForce.Event> singleEvents(List<Raw> raws) {
    List<BruteForce.Event> out = new ArrayList<>();
    for (Raw r : raws) {
      if (r.a() == null) {
        continue;
      }
      out.add(
          new BruteForce.Event(
              Arrays.asList((Object) r.a()),
              r.ts(),
              r.created(),
              Arrays.asList(r.x() == null ? null : r.x() * 2)));
    }
    return out;
  }

  /** Events keyed by a alone, values (x, y). */
  static List<BruteForce.Event> rawSingleEvents(List<Raw> raws) {
    List<BruteForce.Event> out = new ArrayList<>();
    for (Raw r : raws) {
      if (r.a() != null) {
        out.add(
            new BruteForce.Event(
                Arrays.asList((Object) r.a()), r.ts(), r.created(), Arrays.asList(r.x(), r.y())));
      }
    }
    return out;
  }

  static Function<BruteForce.Event, Object> input(String column) {
    if (column == null) {
      return null;
    }
    return "x".equals(column) ? e -> e.values().get(2) : e -> e.values().get(3);
  }

  /** The pair view's features for keys at t: x1, yy, then the aggregations. */
  static List<Object> pairFeatures(List<BruteForce.Event> events, List<Object> keys, Instant t) {
    List<Object> f = new ArrayList<>();
    BruteForce.Event last = BruteForce.latest(events, keys, t, TTL);
    f.add(last == null ? null : last.values().get(0));
    f.add(last == null ? null : last.values().get(1));
    for (Agg a : AGGS) {
      f.add(
          BruteForce.aggregate(
              events, keys, t, a.fn(), Duration.ofMinutes(a.minutes()), input(a.input())));
    }
    return f;
  }

  /** Entity rows (id, a, b, when, label, then ts parsed from when) and their instants. */
  record Entities(List<Row> rows, List<Instant> times, Dataset<Row> frame) {}

  /**
   * 250 random entity rows (some duplicated, some with null keys), their times written in three
   * time zones.
   */
  static Entities randomEntities(Random rnd, SparkSession spark) {
    StructType entitySchema =
        new StructType()
            .add("id", DataTypes.LongType)
            .add("a", DataTypes.LongType)
            .add("b", DataTypes.StringType)
            .add("when", DataTypes.StringType)
            .add("label", DataTypes.DoubleType);
    ZoneOffset[] zones = {
      ZoneOffset.UTC, ZoneOffset.ofHours(2), ZoneOffset.ofHoursMinutes(-5, -30)
    };
    List<Row> entityRows = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    for (long id = 0; id < 250; id++) {
      Long a = rnd.nextInt(15) == 0 ? null : AS[rnd.nextInt(AS.length)];
      String b = rnd.nextInt(15) == 0 ? null : BS[rnd.nextInt(BS.length)];
      Instant t = BASE.plus(Duration.ofMinutes(rnd.nextInt(140) - 5));
      String when = WHEN.format(t.atOffset(zones[rnd.nextInt(zones.length)]));
      Row r = RowFactory.create(id, a, b, when, rnd.nextInt(2) * 1.0);
      entityRows.add(r);
      times.add(t);
      if (rnd.nextInt(8) == 0) {
        entityRows.add(r); // a duplicate entity row stays a duplicate
        times.add(t);
      }
    }
    return new Entities(
        entityRows,
        times,
        spark
            .createDataFrame(entityRows, entitySchema)
            .withColumn("ts", to_timestamp(org.apache.spark.sql.functions.col("when"))));
  }

  @ParameterizedTest
  @ValueSource(longs = {7, 42, 2024})
  void joinEqualsTheBruteForce(long seed, SparkSession spark) {
    Random rnd = new Random(seed);
    List<Raw> raws = randomEvents(rnd, 400);
    Dataset<Row> events = spark.createDataFrame(raws.stream().map(Raw::row).toList(), EVENT_SCHEMA);

    Entities en = randomEntities(rnd, spark);
    List<Row> entityRows = en.rows();
    List<Instant> times = en.times();
    Dataset<Row> entities = en.frame();

    Dataset<Row> actual =
        PointInTime.join(
            entities,
            "ts",
            List.of(
                PointInTime.request(PAIR_VIEW, EVENTS, events),
                PointInTime.request(SINGLE_VIEW, EVENTS, events),
                PointInTime.request(WINDOWS_VIEW, EVENTS, events)),
            false);

    List<String> expectedColumns =
        new ArrayList<>(List.of("id", "a", "b", "when", "label", "ts", "x1", "yy"));
    AGGS.forEach(a -> expectedColumns.add(a.name()));
    expectedColumns.addAll(List.of("xb", "cb", "wy25", "wx5", "wc1"));
    assertThat(actual.columns()).containsExactlyElementsOf(expectedColumns);
    assertThat(actual.schema().apply("cnt10").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(actual.schema().apply("sx30").dataType()).isEqualTo(DataTypes.LongType);
    assertThat(actual.schema().apply("ay10").dataType()).isEqualTo(DataTypes.DoubleType);
    assertThat(actual.schema().apply("lx15").dataType()).isEqualTo(DataTypes.LongType);

    List<BruteForce.Event> pair = pairEvents(raws);
    List<BruteForce.Event> single = singleEvents(raws);
    List<Row> expected = new ArrayList<>();
    for (int i = 0; i < entityRows.size(); i++) {
      Row e = entityRows.get(i);
      Instant t = times.get(i);
      List<Object> o = new ArrayList<>();
      for (int c = 0; c < e.size(); c++) {
        o.add(e.get(c));
      }
      o.add(Timestamp.from(t));
      o.addAll(pairFeatures(pair, Arrays.asList(e.get(1), e.get(2)), t));
      BruteForce.Event last = BruteForce.latest(single, Arrays.asList(e.get(1)), t, Duration.ZERO);
      o.add(last == null ? null : last.values().get(0));
      o.add(
          BruteForce.aggregate(
              single, Arrays.asList(e.get(1)), t, COUNT, Duration.ofHours(1), null));
      List<BruteForce.Event> raw = rawSingleEvents(raws);
      List<Object> k = Arrays.asList(e.get(1));
      o.add(BruteForce.aggregate(raw, k, t, AVG, Duration.ofMinutes(25), ev -> ev.values().get(1)));
      o.add(BruteForce.aggregate(raw, k, t, SUM, Duration.ofMinutes(5), ev -> ev.values().get(0)));
      o.add(BruteForce.aggregate(raw, k, t, COUNT, Duration.ofMinutes(1), null));
      expected.add(RowFactory.create(o.toArray()));
    }
    Dataset<Row> expectedDf = spark.createDataFrame(expected, actual.schema());
    assertThat(actual.count()).isEqualTo(entityRows.size());
    DataFrames.assertEquals(sorted(expectedDf), sorted(actual), 1e-9);
  }

  /** Row-level features only: the views that the broadcast lookup serves when events are small. */
  static final FeatureView ROW_PAIR_VIEW =
      FeatureView.builder("row_pair_view")
          .entity(PAIR)
          .source(EVENTS)
          .ttl(TTL)
          .every(Duration.ofHours(1))
          .feature(col("x").plus(lit(1L)).as("x1"))
          .feature(col("y").as("yy"))
          .build();

  static final FeatureView ROW_SINGLE_VIEW =
      FeatureView.builder("row_single_view")
          .entity(SINGLE)
          .source(EVENTS)
          .ttl(Duration.ZERO)
          .feature(col("x").times(lit(2)).as("xb"))
          .build();

  /**
   * Row-level views by both plans, the broadcast lookup (events within Spark's broadcast threshold)
   * and the sweep (threshold -1), each against the brute force.
   */
  @ParameterizedTest
  @ValueSource(longs = {5, 77, 1999})
  void rowLevelJoinEqualsTheBruteForceByLookupAndBySweep(long seed, SparkSession spark) {
    Random rnd = new Random(seed);
    List<Raw> raws = randomEvents(rnd, 400);
    Dataset<Row> events = spark.createDataFrame(raws.stream().map(Raw::row).toList(), EVENT_SCHEMA);
    Entities en = randomEntities(rnd, spark);
    List<BruteForce.Event> pair = pairEvents(raws);
    List<BruteForce.Event> single = singleEvents(raws);
    List<Row> expected = new ArrayList<>();
    for (int i = 0; i < en.rows().size(); i++) {
      Row e = en.rows().get(i);
      Instant t = en.times().get(i);
      List<Object> o = new ArrayList<>();
      for (int c = 0; c < e.size(); c++) {
        o.add(e.get(c));
      }
      o.add(Timestamp.from(t));
      BruteForce.Event p = BruteForce.latest(pair, Arrays.asList(e.get(1), e.get(2)), t, TTL);
      o.add(p == null ? null : p.values().get(0));
      o.add(p == null ? null : p.values().get(1));
      BruteForce.Event s = BruteForce.latest(single, Arrays.asList(e.get(1)), t, Duration.ZERO);
      o.add(s == null ? null : s.values().get(0));
      expected.add(RowFactory.create(o.toArray()));
    }
    for (String threshold : List.of("10m", "-1")) {
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", threshold);
      try {
        Dataset<Row> actual =
            PointInTime.join(
                en.frame().repartition(3), // evaluated in tasks, not folded on the driver
                "ts",
                List.of(
                    PointInTime.request(ROW_PAIR_VIEW, EVENTS, events),
                    PointInTime.request(ROW_SINGLE_VIEW, EVENTS, events)),
                false);
        assertThat(actual.columns())
            .containsExactly("id", "a", "b", "when", "label", "ts", "x1", "yy", "xb");
        assertThat(actual.queryExecution().analyzed().toString().contains(AsOfLookup.NAME))
            .as("the lookup plan is used with threshold " + threshold)
            .isEqualTo(!threshold.equals("-1"));
        Dataset<Row> expectedDf = spark.createDataFrame(expected, actual.schema());
        assertThat(actual.count()).isEqualTo(en.rows().size());
        DataFrames.assertEquals(sorted(expectedDf), sorted(actual), 0);
      } finally {
        spark.conf().unset("spark.sql.autoBroadcastJoinThreshold");
      }
    }
  }

  /**
   * Whether the pair view holds something at {@code t}, as its offline table has a row there: an
   * event within the TTL for the row-level features, or an event in {@code [t - w, t)} for the
   * longest window w (30 minutes), whatever its inputs.
   */
  static boolean pairHolds(List<BruteForce.Event> pair, List<Object> keys, Instant t) {
    if (BruteForce.latest(pair, keys, t, TTL) != null) {
      return true;
    }
    Instant from = t.minus(Duration.ofMinutes(30));
    return pair.stream()
        .anyMatch(
            e ->
                BruteForce.keyMatches(keys, e.keys())
                    && !e.ts().isBefore(from)
                    && e.ts().isBefore(t));
  }

  /**
   * Retrieval without entity rows, at cadence points and latest, of two views that share their keys
   * and have different cadences (10 minutes, 1 hour), against the brute force: every key at every
   * cadence point where a view holds something, the views outer-joined on key and point.
   */
  @ParameterizedTest
  @ValueSource(longs = {11, 4242})
  void retrievalWithoutEntityRowsEqualsTheBruteForce(long seed, SparkSession spark) {
    List<Raw> raws = randomEvents(new Random(seed), 300);
    Dataset<Row> events = spark.createDataFrame(raws.stream().map(Raw::row).toList(), EVENT_SCHEMA);
    List<PointInTime.Request> requests =
        List.of(
            PointInTime.request(PAIR_VIEW, EVENTS, events),
            new PointInTime.Request(ROW_PAIR_VIEW, EVENTS, events, List.of("x1")));
    List<BruteForce.Event> pair = pairEvents(raws);
    Instant start = BASE.plus(Duration.ofMinutes(5));
    Instant end = BASE.plus(Duration.ofMinutes(150));

    // at cadence points: key and point -> [pair view's features..., row view's x1]
    java.util.Map<List<Object>, Object[]> expected = new java.util.LinkedHashMap<>();
    int width = 2 + AGGS.size() + 1;
    for (Long a : AS) {
      for (String b : BS) {
        List<Object> keys = Arrays.asList(a, b);
        for (Instant p = BASE.plus(Duration.ofMinutes(10));
            !p.isAfter(end);
            p = p.plus(Duration.ofMinutes(10))) {
          if (pairHolds(pair, keys, p)) {
            Object[] o = expected.computeIfAbsent(List.of(a, b, p), k -> new Object[width]);
            List<Object> f = pairFeatures(pair, keys, p);
            for (int i = 0; i < f.size(); i++) {
              o[i] = f.get(i);
            }
          }
        }
        for (Instant p = BASE.plus(Duration.ofHours(1));
            !p.isAfter(end);
            p = p.plus(Duration.ofHours(1))) {
          BruteForce.Event last = BruteForce.latest(pair, keys, p, TTL);
          if (last != null) {
            expected.computeIfAbsent(List.of(a, b, p), k -> new Object[width])[width - 1] =
                last.values().get(0);
          }
        }
      }
    }
    Dataset<Row> actual = RetrievalWithoutEntities.atCadence(requests, start, end, true);
    List<String> columns =
        new ArrayList<>(List.of("a", "b", "feature_timestamp", "pair_view__x1", "pair_view__yy"));
    AGGS.forEach(ag -> columns.add("pair_view__" + ag.name()));
    columns.add("row_pair_view__x1");
    assertThat(actual.columns()).containsExactlyElementsOf(columns);
    List<Row> rows = new ArrayList<>();
    expected.forEach(
        (k, v) -> {
          List<Object> o = new ArrayList<>(List.of(k.get(0), k.get(1)));
          o.add(Timestamp.from((Instant) k.get(2)));
          for (int i = 0; i < v.length; i++) {
            // a point only the row view has: the pair view's counts are null there, not 0
            o.add(v[i]);
          }
          rows.add(RowFactory.create(o.toArray()));
        });
    assertThat(rows).hasSizeGreaterThan(40);
    DataFrames.assertEquals(
        sorted(spark.createDataFrame(rows, actual.schema())), sorted(actual), 1e-9);

    // latest as of a time inside the events: every key either view holds something for
    Instant at = BASE.plus(Duration.ofMinutes(100));
    List<Row> latest = new ArrayList<>();
    for (Long a : AS) {
      for (String b : BS) {
        List<Object> keys = Arrays.asList(a, b);
        BruteForce.Event last = BruteForce.latest(pair, keys, at, TTL);
        if (pairHolds(pair, keys, at)) {
          List<Object> o = new ArrayList<>(List.of(a, b, Timestamp.from(at)));
          o.addAll(pairFeatures(pair, keys, at));
          o.add(last == null ? null : last.values().get(0));
          latest.add(RowFactory.create(o.toArray()));
        }
      }
    }
    Dataset<Row> actualLatest = RetrievalWithoutEntities.latest(requests, at, true);
    assertThat(actualLatest.columns()).containsExactlyElementsOf(columns);
    assertThat(latest).isNotEmpty();
    DataFrames.assertEquals(
        sorted(spark.createDataFrame(latest, actualLatest.schema())), sorted(actualLatest), 1e-9);
  }

  @Test
  void retrievalWithoutEntityRowsRefusesViewsWithDifferentKeys(SparkSession spark) {
    Dataset<Row> events = spark.createDataFrame(List.<Row>of(), EVENT_SCHEMA);
    List<PointInTime.Request> requests =
        List.of(
            PointInTime.request(PAIR_VIEW, EVENTS, events),
            PointInTime.request(SINGLE_VIEW, EVENTS, events));
    assertThatThrownBy(() -> RetrievalWithoutEntities.latest(requests, BASE, true))
        .isInstanceOf(dev.strata.errors.InvalidInputException.class)
        .hasMessage(
            "retrieval without entity rows joins views on their keys, but feature view"
                + " 'pair_view' has keys [a INT64, b STRING] and feature view 'single_view' has"
                + " [a INT64]: ask for views with the same keys, or give entity rows");
  }

  @ParameterizedTest
  @ValueSource(longs = {3, 99})
  void cadencePointsEqualTheBruteForce(long seed, SparkSession spark) {
    List<Raw> raws = randomEvents(new Random(seed), 300);
    Dataset<Row> events = spark.createDataFrame(raws.stream().map(Raw::row).toList(), EVENT_SCHEMA);
    Instant start = BASE.plus(Duration.ofMinutes(5));
    Instant end = BASE.plus(Duration.ofMinutes(150));

    Dataset<Row> actual = PointInTime.atCadence(PAIR_VIEW, EVENTS, events, start, end);

    List<BruteForce.Event> pair = pairEvents(raws);
    List<Row> expected = new ArrayList<>();
    for (Long a : AS) {
      for (String b : BS) {
        List<Object> keys = Arrays.asList(a, b);
        for (Instant p = BASE.plus(Duration.ofMinutes(10));
            !p.isAfter(end);
            p = p.plus(Duration.ofMinutes(10))) {
          List<Object> f = pairFeatures(pair, keys, p);
          boolean rowValid = BruteForce.latest(pair, keys, p, TTL) != null;
          boolean anyWindow = false;
          for (Agg ag : AGGS) {
            anyWindow |=
                ag.fn() == COUNT
                    ? BruteForce.aggregate(
                                pair,
                                keys,
                                p,
                                COUNT,
                                Duration.ofMinutes(ag.minutes()),
                                input(ag.input()))
                            .equals(0L)
                        == false
                    : BruteForce.aggregate(
                            pair,
                            keys,
                            p,
                            ag.fn(),
                            Duration.ofMinutes(ag.minutes()),
                            input(ag.input()))
                        != null;
          }
          if (rowValid || anyWindow) {
            List<Object> o = new ArrayList<>(keys);
            o.add(Timestamp.from(p));
            o.addAll(f);
            expected.add(RowFactory.create(o.toArray()));
          }
        }
      }
    }
    assertThat(expected).hasSizeGreaterThan(50);
    Dataset<Row> expectedDf = spark.createDataFrame(expected, actual.schema());
    DataFrames.assertEquals(sorted(expectedDf), sorted(actual), 1e-9);
  }

  @Test
  void badEntityRowsAreRefusedBeforeAnyWork(SparkSession spark) {
    Dataset<Row> events = spark.createDataFrame(List.<Row>of(), EVENT_SCHEMA);
    StructType schema =
        new StructType().add("a", DataTypes.StringType).add("ts", DataTypes.TimestampType);
    Dataset<Row> wrongKeyType =
        spark.createDataFrame(List.of(RowFactory.create("1", Timestamp.from(BASE))), schema);
    assertThatThrownBy(
            () ->
                PointInTime.join(
                    wrongKeyType,
                    "ts",
                    List.of(PointInTime.request(SINGLE_VIEW, EVENTS, events)),
                    false))
        .isInstanceOf(EntityFrameException.class)
        .hasMessageContaining(
            "column 'a' has type string, but feature view 'single_view' joins on it as INT64");
    assertThatThrownBy(
            () ->
                PointInTime.join(
                    wrongKeyType,
                    "ts",
                    List.of(PointInTime.request(PAIR_VIEW, EVENTS, events)),
                    false))
        .hasMessageContaining("no column 'b', the join key of feature view 'pair_view' (STRING)");
    assertThatThrownBy(
            () ->
                PointInTime.join(
                    wrongKeyType,
                    "when",
                    List.of(PointInTime.request(SINGLE_VIEW, EVENTS, events)),
                    false))
        .hasMessageContaining("no timestamp column 'when'");

    StructType s2 =
        new StructType().add("a", DataTypes.LongType).add("ts", DataTypes.TimestampType);
    Dataset<Row> nullTime = spark.createDataFrame(List.of(RowFactory.create(1L, null)), s2);
    assertThatThrownBy(
            () ->
                PointInTime.join(
                    nullTime,
                    "ts",
                    List.of(PointInTime.request(SINGLE_VIEW, EVENTS, events)),
                    false))
        .hasMessageContaining("timestamp column 'ts' has null values");

    Dataset<Row> ok =
        spark.createDataFrame(List.of(RowFactory.create(1L, Timestamp.from(BASE))), s2);
    FeatureView clash =
        FeatureView.builder("clash")
            .entity(SINGLE)
            .source(EVENTS)
            .feature(col("x").as("xb"))
            .build();
    assertThatThrownBy(
            () ->
                PointInTime.join(
                    ok,
                    "ts",
                    List.of(
                        PointInTime.request(SINGLE_VIEW, EVENTS, events),
                        PointInTime.request(clash, EVENTS, events)),
                    false))
        .hasMessageContaining(
            "output column 'xb' comes from both feature view 'single_view' and feature view 'clash'");
    assertThat(
            PointInTime.join(
                    ok,
                    "ts",
                    List.of(
                        PointInTime.request(SINGLE_VIEW, EVENTS, events),
                        PointInTime.request(clash, EVENTS, events)),
                    true)
                .columns())
        .containsExactly("a", "ts", "single_view__xb", "single_view__cb", "clash__xb");
  }

  static Dataset<Row> sorted(Dataset<Row> d) {
    return d.orderBy(
        Arrays.stream(d.columns())
            .map(c -> org.apache.spark.sql.functions.col("`" + c + "`").asc_nulls_first())
            .toArray(Column[]::new));
  }
}
