package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.offline.Warehouse;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own feature repository from {@code strata init} to retrieval, through the CLI's main
 * entry: init, plan and apply with --project (Maven builds the project and runs its test), a
 * backfill, historical retrieval with the project's data as entity rows and without entity rows
 * (against a brute force over the data file), and ls.
 */
class InitProjectTest {
  @TempDir Path dir;

  private static StrataCliTest.Result run(String... args) {
    return StrataCliTest.run(args);
  }

  private static StrataCliTest.Result ok(String... args) {
    StrataCliTest.Result r = run(args);
    assertThat(r.code()).as("%s: %s", List.of(args), r.err()).isZero();
    return r;
  }

  /** One flight of the project's data file. */
  record Flight(Instant at, Long delay) {}

  @Test
  void initPlanApplyBackfillRetrieveAndList() throws Exception {
    Path project = dir.resolve("my-features");
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    String warehouse = dir.resolve("warehouse").toString();

    StrataCliTest.Result init = ok("init", project.toString());
    assertThat(init.out())
        .contains("Created feature repository 'my-features' in " + project)
        .contains("./strata plan --project " + project);
    for (String f :
        List.of(
            "pom.xml",
            "README.md",
            "src/main/java/com/example/features/MyFeatures.java",
            "src/test/java/com/example/features/MyFeaturesTest.java",
            "src/main/resources/META-INF/services/dev.strata.dsl.FeatureRepository",
            "data/flights.parquet")) {
      assertThat(project.resolve(f)).exists();
    }
    assertThat(Files.readString(project.resolve("pom.xml")))
        .contains("<strata.version>" + StrataCli.version() + "</strata.version>");
    StrataCliTest.Result again = run("init", project.toString());
    assertThat(again.code()).isEqualTo(StrataCli.USAGE);
    assertThat(again.err()).contains(project + " exists and is not empty: choose a new folder");

    StrataCliTest.Result plan = ok("plan", "--registry", registry, "--project", project.toString());
    assertThat(plan.out())
        .contains("+ feature view origin_airport_delays (new, v1)")
        .contains("4 to add, 0 to update, 0 to remove, 0 unchanged");
    assertThat(project.resolve("target/surefire-reports")).as("the project's test ran").exists();
    assertThat(ok("apply", "--registry", registry, "--project", project.toString()).out())
        .contains("Applied repository 'my-features': registry at revision 1");

    StrataCliTest.Result backfill =
        ok(
            "backfill",
            "origin_airport_delays",
            "--start",
            "2001-01-02",
            "--end",
            "2001-01-02",
            "--registry",
            registry,
            "--warehouse",
            warehouse);
    assertThat(backfill.out())
        .contains("Backfilled origin_airport_delays v1 for 2001-01-02..2001-01-02");

    String data = project.resolve("data/flights.parquet").toString();
    StrataCliTest.Result withEntities =
        ok(
            "historical",
            "--entities",
            data,
            "--timestamp-column",
            "date",
            "--service",
            "origin_airport_service",
            "--output",
            dir.resolve("training").toString(),
            "--registry",
            registry,
            "--warehouse",
            warehouse);

    SparkOptions sparkOptions = new SparkOptions();
    sparkOptions.warehouse = Warehouse.of(warehouse);
    SparkSession spark = sparkOptions.session("test");
    Map<String, List<Flight>> flights = new TreeMap<>();
    List<Row> rows = spark.read().parquet(data).select("origin", "date", "delay").collectAsList();
    for (Row r : rows) {
      Instant at =
          r.get(1) instanceof LocalDateTime l
              ? l.toInstant(ZoneOffset.UTC)
              : r.getTimestamp(1).toInstant();
      flights
          .computeIfAbsent(r.getString(0), k -> new ArrayList<>())
          .add(new Flight(at, r.isNullAt(2) ? null : r.getLong(2)));
    }
    assertThat(withEntities.out()).contains("Wrote " + rows.size() + " rows to parquet");

    Instant start = Instant.parse("2001-01-02T00:00:00Z");
    Instant end = Instant.parse("2001-01-02T06:00:00Z");
    ok(
        "historical",
        "--service",
        "origin_airport_service",
        "--start",
        start.toString(),
        "--end",
        end.toString(),
        "--output",
        dir.resolve("points").toString(),
        "--registry",
        registry,
        "--warehouse",
        warehouse);
    List<String> expected = new ArrayList<>();
    for (Instant p = start; !p.isAfter(end); p = p.plus(Duration.ofHours(1))) {
      for (Map.Entry<String, List<Flight>> e : flights.entrySet()) {
        String line = bruteForce(e.getKey(), e.getValue(), p);
        if (line != null) {
          expected.add(line);
        }
      }
    }
    List<String> actual = new ArrayList<>();
    for (Row r :
        spark
            .read()
            .parquet(dir.resolve("points").toString())
            .select(
                "origin", "feature_timestamp", "last_flight_late", "avg_delay_1d", "departures_1h")
            .collectAsList()) {
      actual.add(
          line(
              r.getString(0),
              r.getTimestamp(1).toInstant(),
              r.isNullAt(2) ? null : r.getBoolean(2),
              r.isNullAt(3) ? null : r.getDouble(3),
              r.getLong(4)));
    }
    assertThat(expected).hasSizeGreaterThan(100);
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);

    assertThat(ok("ls", "--registry", registry).out())
        .contains("origin_airport")
        .contains("my_flights")
        .contains("origin_airport_delays")
        .contains("origin_airport_service");
  }

  /** The empty template builds and plans nothing; a folder without a pom is named. */
  @Test
  void theEmptyTemplateBuildsAndPlansNothing() {
    Path project = dir.resolve("Empty Features");
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    assertThat(ok("init", project.toString(), "--template", "empty").out())
        .contains("Created feature repository 'empty-features'")
        .contains("(template empty)");
    assertThat(project.resolve("data")).doesNotExist();
    assertThat(ok("plan", "--registry", registry, "--project", project.toString()).out())
        .contains("0 to add, 0 to update, 0 to remove, 0 unchanged");
    StrataCliTest.Result noPom = run("plan", "--registry", registry, "--project", dir.toString());
    assertThat(noPom.code()).isEqualTo(StrataCli.USAGE);
    assertThat(noPom.err())
        .contains("--project " + dir + ": no pom.xml there (create a project with 'strata init");
  }

  /**
   * The view's row at point {@code p}, or null when it holds nothing there: the latest flight at or
   * before p within the 1-day TTL (ties: the greatest delay), the mean delay over [p - 1d, p), the
   * departures over [p - 1h, p).
   */
  static String bruteForce(String origin, List<Flight> fs, Instant p) {
    Instant day = p.minus(Duration.ofDays(1));
    Instant latest = null;
    for (Flight f : fs) {
      if (!f.at().isAfter(p)
          && !f.at().isBefore(day)
          && (latest == null || f.at().isAfter(latest))) {
        latest = f.at();
      }
    }
    if (latest == null) {
      return null; // nothing within the TTL, so nothing in any window either
    }
    Long maxDelay = null;
    long sum = 0;
    long n = 0;
    long lastHour = 0;
    for (Flight f : fs) {
      if (f.at().equals(latest) && f.delay() != null) {
        maxDelay = maxDelay == null ? f.delay() : Math.max(maxDelay, f.delay());
      }
      if (!f.at().isBefore(day) && f.at().isBefore(p)) {
        if (f.delay() != null) {
          sum += f.delay();
          n++;
        }
        if (!f.at().isBefore(p.minus(Duration.ofHours(1)))) {
          lastHour++;
        }
      }
    }
    return line(
        origin,
        p,
        maxDelay == null ? null : maxDelay > 15,
        n == 0 ? null : sum / (double) n,
        lastHour);
  }

  static String line(String origin, Instant p, Boolean late, Double avg, long departures) {
    return origin
        + " "
        + p
        + " "
        + late
        + " "
        + (avg == null ? "null" : String.format(Locale.ROOT, "%.6f", avg))
        + " "
        + departures;
  }
}
