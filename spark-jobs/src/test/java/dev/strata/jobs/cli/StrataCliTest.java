package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.offline.Warehouse;
import dev.strata.registry.jdbc.RegistryUrls;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The CLI end to end on an embedded registry: outputs, exit codes, and that refused commands leave
 * the registry as it was. Six repositories are on the test classpath (flights and the variants in
 * {@link TestRepositories}), so every command names one with {@code -r}.
 */
class StrataCliTest {
  @TempDir Path dir;
  private String registry;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void setUp() {
    registry = RegistryUrls.embedded(dir.resolve("registry"));
  }

  /** Runs the CLI's main entry with its own writers; the exit code and what it printed. */
  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = StrataCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** Runs a registry command against the test's registry. */
  private Result strata(String verb, String... rest) {
    return against(registry, verb, rest);
  }

  /** Runs a registry command ({@code "logs load"} for a subcommand) against {@code registry}. */
  static Result against(String registry, String verb, String... rest) {
    List<String> args = new ArrayList<>(List.of(verb.split(" ")));
    args.addAll(List.of("--registry", registry));
    args.addAll(List.of(rest));
    return run(args.toArray(String[]::new));
  }

  private Result ok(String verb, String... rest) {
    Result r = strata(verb, rest);
    assertThat(r.code()).as("exit code of %s; stderr: %s", verb, r.err()).isZero();
    return r;
  }

  @Test
  void applyingTheExampleTwiceChangesNothingTheSecondTime() {
    Result plan = ok("plan", "-r", "flights");
    assertThat(plan.out())
        .contains("+ feature view origin_delays (new, v1)")
        .contains("6 to add, 0 to update, 0 to remove, 0 unchanged");
    assertThat(ok("ls").out()).as("plan writes nothing").doesNotContain("origin_delays");

    assertThat(ok("apply", "-r", "flights").out()).contains("registry at revision 1");
    String listed = ok("ls").out();

    Result again = ok("apply", "-r", "flights");
    assertThat(again.out())
        .contains("No changes. 0 to add, 0 to update, 0 to remove, 6 unchanged")
        .contains("already registered (revision 1)");
    assertThat(ok("ls").out()).isEqualTo(listed);
    assertThat(listed.lines().skip(1))
        .hasSize(6)
        .allSatisfy(line -> assertThat(line).contains(" v1 "));
  }

  @Test
  void changingOneFeatureVersionsThatViewOnlyAndLineageShowsIt() {
    ok("apply", "-r", "flights");

    Result plan = ok("plan", "-r", "flights-changed");
    assertThat(plan.out())
        .contains("~ feature view route_stats (v1 -> v2)")
        .contains("feature 'route_late_share_30d'")
        .contains("0 to add, 1 to update, 0 to remove, 5 unchanged")
        .doesNotContain("BREAKING");

    ok("apply", "-r", "flights-changed");
    String listed = ok("ls").out();
    assertThat(listed.lines().filter(l -> l.contains(" v2 ")))
        .singleElement()
        .satisfies(l -> assertThat(l).contains("route_stats"));
    assertThat(listed.lines().filter(l -> l.contains(" v1 "))).hasSize(5);

    assertThat(ok("describe", "feature-view", "route_stats").out())
        .contains("route_stats v2")
        .contains("\"value\" : 30")
        .contains("  v1  ")
        .contains("  v2  ");
    assertThat(ok("describe", "view", "route_stats@v1").out())
        .contains("route_stats v1")
        .contains("\"value\" : 15");

    String downstream = ok("lineage", "source:flights", "--downstream").out();
    assertThat(downstream)
        .contains("feature_view:route_stats@v1")
        .contains("feature_view:route_stats@v2")
        .contains("feature_view:origin_delays@v1")
        .doesNotContain("origin_delays@v2");
    String upstream = ok("lineage", "feature_service:delay_model@v1").out();
    assertThat(upstream)
        .contains("<- feature_view:route_stats@v2")
        .contains("<- feature_view:route_stats@v1")
        .contains("<- table:parquet:" + TestRepositories.PATH);
    assertThat(ok("lineage", "route_stats").out())
        .startsWith("upstream of feature_view:route_stats@v2");
  }

  @Test
  void aBreakingChangeIsRefusedUnlessAllowedAndRefusalChangesNothing() {
    ok("apply", "-r", "flights");
    String before = ok("ls").out();

    Result plan = ok("plan", "-r", "flights-breaking");
    assertThat(plan.out())
        .contains("route_stats (v1 -> v2)  BREAKING")
        .contains("feature 'route_distance': type INT64 -> FLOAT64");

    Result refused = strata("apply", "-r", "flights-breaking");
    assertThat(refused.code()).isEqualTo(StrataCli.BREAKING);
    assertThat(refused.err())
        .contains("feature view 'route_stats'")
        .contains("feature 'route_distance' changes type from INT64 to FLOAT64")
        .contains("--allow-breaking")
        .doesNotContain("Exception");
    assertThat(ok("ls").out()).isEqualTo(before);

    ok("apply", "-r", "flights-breaking", "--allow-breaking");
    assertThat(ok("ls", "views").out()).contains("route_stats").contains(" v2 ");
  }

  @Test
  void invalidDefinitionsAreRefusedByPlanAndApplyNamingObjectFieldAndValue() {
    ok("apply", "-r", "flights");
    String before = ok("ls").out();

    for (String verb : List.of("plan", "apply")) {
      Result r = strata(verb, "-r", "flights-invalid");
      assertThat(r.code()).as(verb).isEqualTo(StrataCli.INVALID);
      assertThat(r.err())
          .isEqualTo(
              "error: Cannot build feature view 'route_stats': ttl PT-24H must not be negative"
                  + " (zero means no expiry)\n");
      assertThat(r.out()).isEmpty();

      Result dangling = strata(verb, "-r", "flights-dangling");
      assertThat(dangling.code()).as(verb).isEqualTo(StrataCli.INVALID);
      assertThat(dangling.err())
          .contains("delay_model")
          .contains("route_speed")
          .contains("route_stats");
    }
    assertThat(ok("ls").out()).isEqualTo(before);
  }

  @Test
  void todayAndYesterdayAreUtcDaysForScheduledRuns() {
    java.time.LocalDate before = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    java.time.LocalDate today = StrataCli.date("today");
    java.time.LocalDate yesterday = StrataCli.date("yesterday");
    java.time.LocalDate after = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    assertThat(today).isBetween(before, after);
    assertThat(yesterday).isBetween(before.minusDays(1), after.minusDays(1));
    assertThat(StrataCli.date("2001-01-15")).isEqualTo(java.time.LocalDate.of(2001, 1, 15));
  }

  @Test
  void usageErrorsAndMissingObjectsGetMessagesAndExitCodes() {
    Result ambiguous = strata("plan");
    assertThat(ambiguous.code()).isEqualTo(StrataCli.USAGE);
    assertThat(ambiguous.err())
        .contains("More than one feature repository found (flights, flights-breaking,")
        .contains("--repository");

    Result unknown = strata("apply", "-r", "nope");
    assertThat(unknown.code()).isEqualTo(StrataCli.USAGE);
    assertThat(unknown.err()).contains("No feature repository named 'nope' (found: flights,");

    Result badKind = strata("ls", "tables");
    assertThat(badKind.code()).isEqualTo(StrataCli.USAGE);
    assertThat(badKind.err()).contains("Unknown kind 'tables'");

    Result badOption = run("apply", "--no-such-option");
    assertThat(badOption.code()).isEqualTo(StrataCli.USAGE);
    assertThat(badOption.err()).contains("Unknown option: '--no-such-option'");

    Result noVerb = run();
    assertThat(noVerb.code()).isEqualTo(StrataCli.USAGE);

    ok("apply", "-r", "flights");
    Result missing = strata("describe", "feature-view", "nope");
    assertThat(missing.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(missing.err()).contains("No feature view named 'nope' is registered");

    Result noVersion = strata("describe", "feature-view", "origin_delays@v7");
    assertThat(noVersion.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(noVersion.err()).contains("'origin_delays' has no version 7 (versions 1..1)");

    Result noNode = strata("lineage", "model:nope");
    assertThat(noNode.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(noNode.err()).contains("No lineage node 'model:nope'");

    Result unreachable =
        run("ls", "--registry", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
    assertThat(unreachable.code()).isEqualTo(StrataCli.UNAVAILABLE);
    assertThat(unreachable.err()).startsWith("error: ").doesNotContain("\tat ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "apply",
        "plan",
        "ls",
        "describe",
        "lineage",
        "backfill",
        "historical",
        "materialize",
        "materialize-incremental",
        "quickstart",
        "training-set",
        "train",
        "score",
        "init",
        "stats"
      })
  void everyVerbHasHelp(String verb) {
    Result r = run(verb, "--help");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Usage: strata " + verb).contains("--help");
  }

  @Test
  void lineageExportsTheApplyRunsAsOpenLineageEvents() throws Exception {
    ok("apply", "-r", "flights");
    ok("apply", "-r", "flights-changed");
    Path file = dir.resolve("lineage.jsonl");

    Result r = ok("lineage", "route_stats", "--export-openlineage", file.toString());
    assertThat(r.out()).contains("Exported 4 OpenLineage events of 2 runs");

    ObjectMapper json = new ObjectMapper();
    List<JsonNode> events = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      events.add(json.readTree(line));
    }
    assertThat(events)
        .extracting(e -> e.get("eventType").asText())
        .containsExactly("START", "COMPLETE", "START", "COMPLETE");
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.at("/job/namespace").asText()).isEqualTo("strata");
              assertThat(e.at("/job/name").asText()).isEqualTo("strata.apply");
            });
    assertThat(events.get(3).get("outputs").toString()).contains("feature_view:route_stats@v2");
  }

  @Test
  void quickstartRunsTheExampleEndToEndOnASliceOfTheSample() {
    String warehouse = dir.resolve("warehouse").toString();
    SparkOptions sparkOptions = new SparkOptions();
    sparkOptions.warehouse = Warehouse.of(warehouse);
    org.apache.spark.sql.SparkSession spark = sparkOptions.session("test");
    String slice = dir.resolve("slice.parquet").toString();
    // the 20 busiest origins, 2001-01-01..06: about 25,000 real flights
    org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> sample =
        spark.read().parquet(TestRepositories.PATH);
    List<Object> busiest = new ArrayList<>();
    sample
        .groupBy("origin")
        .count()
        .orderBy(org.apache.spark.sql.functions.col("count").desc())
        .limit(20)
        .collectAsList()
        .forEach(r -> busiest.add(r.getString(0)));
    sample
        .filter(org.apache.spark.sql.functions.col("origin").isin(busiest.toArray()))
        .filter(
            org.apache
                .spark
                .sql
                .functions
                .col("date")
                .lt(
                    org.apache.spark.sql.functions.lit(
                        java.sql.Timestamp.valueOf("2001-01-07 00:00:00"))))
        .write()
        .parquet(slice);
    long flights = spark.read().parquet(slice).count();
    String flightsPath = System.getProperty("strata.flights.path");
    try {
      Result first =
          ok("quickstart", "--warehouse", warehouse, "--flights", slice, "--rounds", "30");
      assertThat(first.out())
          .contains("6 to add")
          .contains("applied: registry at revision 1")
          .contains("flights: " + flights + " rows, 2001-01-01..2001-01-06")
          .contains("registered training_dataset:delayed_departures@v1")
          .contains("registered model:delay_model@v1")
          .contains("auc=")
          .contains("origin_delays v1: 20 keys written")
          .contains("\"entity\":{\"origin\":\"ATL\"}")
          .contains("\"statuses\":[" + presentForEveryOriginFeature() + "]")
          .contains("upstream of model:delay_model@v1")
          .contains("<- training_dataset:delayed_departures@v1")
          .contains("<- table:parquet:" + slice)
          .contains("== summary");
      // the training set holds every flight of the slice from its third day on
      long examples =
          spark
              .read()
              .parquet(slice)
              .filter(
                  org.apache
                      .spark
                      .sql
                      .functions
                      .col("date")
                      .geq(
                          org.apache.spark.sql.functions.lit(
                              java.sql.Timestamp.valueOf("2001-01-03 00:00:00"))))
              .count();
      assertThat(first.out())
          .contains("delayed_departures@v1: " + examples + " rows x 12 features");

      Result second =
          ok("quickstart", "--warehouse", warehouse, "--flights", slice, "--rounds", "30");
      assertThat(second.out())
          .contains("nothing to apply: already registered (revision 1)")
          .contains("reused training_dataset:delayed_departures@v1")
          .contains("reused model:delay_model@v1")
          .contains("\"statuses\":[" + presentForEveryOriginFeature() + "]");
    } finally {
      if (flightsPath == null) {
        System.clearProperty("strata.flights.path"); // the quickstart's --flights set it
      } else {
        System.setProperty("strata.flights.path", flightsPath);
      }
    }
  }

  @Test
  void trainingCommandsRefuseBadInputAndRegisterNothing() {
    ok("apply", "-r", "flights");
    String warehouse = dir.resolve("warehouse").toString();
    Result noService =
        strata(
            "training-set",
            "t",
            "--labels",
            dir.resolve("labels").toString(),
            "--timestamp-column",
            "departure",
            "--label-column",
            "delayed",
            "--service",
            "nope",
            "--start",
            "2001-01-03",
            "--end",
            "2001-01-05",
            "--warehouse",
            warehouse);
    assertThat(noService.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(noService.err())
        .isEqualTo(
            "error: training set 't': no feature service named 'nope' is registered: see what is"
                + " registered with 'strata ls'\n");
    Result empty =
        strata(
            "training-set",
            "t",
            "--labels",
            dir.resolve("labels").toString(),
            "--timestamp-column",
            "departure",
            "--label-column",
            "delayed",
            "--service",
            "delay_model",
            "--start",
            "2001-01-05",
            "--end",
            "2001-01-05",
            "--warehouse",
            warehouse);
    assertThat(empty.code()).isEqualTo(StrataCli.USAGE);
    assertThat(empty.err()).contains("is empty; the end must be after the start");
    Result noSet = strata("train", "m", "--training-set", "t", "--warehouse", warehouse);
    assertThat(noSet.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(noSet.err())
        .isEqualTo(
            "error: no training set named 't' is registered: build one with 'strata"
                + " training-set'\n");
    Result gpu = strata("train", "m", "--training-set", "t", "--gpu", "--warehouse", warehouse);
    assertThat(gpu.code()).isEqualTo(StrataCli.USAGE);
    assertThat(gpu.err())
        .contains("--gpu cannot start; missing: the Spark RAPIDS plugin")
        .contains("Nothing was read or written");
    assertThat(ok("lineage", "delay_model").out())
        .doesNotContain("training_dataset")
        .doesNotContain("model:");
  }

  @Test
  void jobsRefuseBadInputWithMessagesAndExitCodes() throws Exception {
    ok("apply", "-r", "flights");
    String warehouse = dir.resolve("warehouse").toString();

    Result noView =
        strata(
            "backfill",
            "nope",
            "--start",
            "2001-01-01",
            "--end",
            "2001-01-02",
            "--warehouse",
            warehouse);
    assertThat(noView.code()).isEqualTo(StrataCli.NOT_FOUND);
    assertThat(noView.err())
        .isEqualTo(
            "error: No feature view named 'nope' is registered: see what is registered with"
                + " 'strata ls'\n");

    Result backwards =
        strata(
            "backfill",
            "origin_delays",
            "--start",
            "2001-01-05",
            "--end",
            "2001-01-02",
            "--warehouse",
            warehouse);
    assertThat(backwards.code()).isEqualTo(StrataCli.USAGE);
    assertThat(backwards.err()).contains("end 2001-01-02 is before start 2001-01-05");

    Result badFormat =
        strata(
            "backfill",
            "origin_delays",
            "--start",
            "2001-01-01",
            "--end",
            "2001-01-02",
            "--format",
            "csv");
    assertThat(badFormat.code()).isEqualTo(StrataCli.USAGE);
    assertThat(badFormat.err())
        .contains("Unknown table format 'csv': expected delta, iceberg or hudi");
    Result badRecords =
        strata(
            "stream", "origin_delays", "--kafka", "127.0.0.1:1", "--topic", "t", "--format", "xml");
    assertThat(badRecords.code()).isEqualTo(StrataCli.USAGE);
    assertThat(badRecords.err())
        .contains(
            "--format xml: records are 'json' (one object each) or 'avro' (binary, one each)");
    Result neither = strata("logs load", "--warehouse", warehouse);
    assertThat(neither.code()).isEqualTo(StrataCli.USAGE);
    assertThat(neither.err())
        .contains(
            "logs load reads --dir DIR, or --kafka BOOTSTRAP with --topic TOPIC: one of the two");

    // entity rows without the route's destination column
    SparkOptions sparkOptions = new SparkOptions();
    sparkOptions.warehouse = Warehouse.of(warehouse);
    String entities = dir.resolve("entities").toString();
    sparkOptions
        .session("test")
        .read()
        .parquet(TestRepositories.PATH)
        .limit(10)
        .select("origin", "date")
        .write()
        .parquet(entities);
    Result missingKey =
        strata(
            "historical",
            "--entities",
            entities,
            "--timestamp-column",
            "date",
            "--service",
            "delay_model",
            "--output",
            dir.resolve("o1").toString(),
            "--warehouse",
            warehouse);
    assertThat(missingKey.code()).isEqualTo(StrataCli.INVALID);
    assertThat(missingKey.err())
        .contains("no column 'destination', the join key of feature view 'route_stats' (STRING)");
    Result ok =
        strata(
            "historical",
            "--entities",
            entities,
            "--timestamp-column",
            "date",
            "--features",
            "origin_delays:avg_delay_1h,origin_delays:flights_1d",
            "--output",
            dir.resolve("o1").toString(),
            "--warehouse",
            warehouse);
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("Wrote 10 rows to parquet");
    String[] again = {
      "historical",
      "--registry",
      registry,
      "--entities",
      entities,
      "--timestamp-column",
      "date",
      "--features",
      "origin_delays:avg_delay_1h",
      "--output",
      dir.resolve("o1").toString(),
      "--warehouse",
      warehouse
    };
    Result exists = run(again);
    assertThat(exists.code()).isEqualTo(StrataCli.USAGE);
    assertThat(exists.err())
        .isEqualTo(
            "error: parquet output "
                + dir.resolve("o1")
                + " exists: pass --overwrite to replace it, or choose another --output\n");
    List<String> overwrite = new ArrayList<>(List.of(again));
    overwrite.add("--overwrite");
    Result replaced = run(overwrite.toArray(String[]::new));
    assertThat(replaced.code()).as(replaced.err()).isZero();

    Result noTs =
        strata(
            "historical",
            "--entities",
            TestRepositories.PATH,
            "--timestamp-column",
            "departure",
            "--service",
            "delay_model",
            "--output",
            dir.resolve("o2").toString(),
            "--warehouse",
            warehouse);
    assertThat(noTs.code()).isEqualTo(StrataCli.INVALID);
    assertThat(noTs.err())
        .contains(
            "no timestamp column 'departure' (columns: date, delay, distance, origin, destination)");
    assertThat(Files.exists(dir.resolve("o2"))).isFalse();

    Result noRedis =
        strata(
            "materialize",
            "origin_delays",
            "--start",
            "2001-01-01T00:00:00Z",
            "--end",
            "2001-01-02T00:00:00Z");
    assertThat(noRedis.code()).isEqualTo(StrataCli.USAGE);
    assertThat(noRedis.err()).contains("no online store: give --redis URL or set STRATA_REDIS_URL");
    Result unreachable =
        strata(
            "materialize",
            "origin_delays",
            "--start",
            "2001-01-01T00:00:00Z",
            "--end",
            "2001-01-02T00:00:00Z",
            "--redis",
            "redis://127.0.0.1:1",
            "--warehouse",
            warehouse);
    assertThat(unreachable.code()).isEqualTo(StrataCli.UNAVAILABLE);
    assertThat(unreachable.err())
        .startsWith("error: Redis at redis://127.0.0.1:1 cannot be reached");
    try (dev.strata.online.RedisLauncher redis = dev.strata.online.RedisLauncher.single()) {
      Result notBackfilled =
          strata(
              "materialize",
              "origin_delays",
              "--start",
              "2001-01-01T00:00:00Z",
              "--end",
              "2001-01-02T00:00:00Z",
              "--redis",
              redis.url(),
              "--warehouse",
              warehouse);
      assertThat(notBackfilled.code()).isEqualTo(StrataCli.NOT_FOUND);
      assertThat(notBackfilled.err())
          .contains("has no offline table yet: run 'strata backfill origin_delays' first");
    }

    Result unknownFeature =
        strata(
            "historical",
            "--entities",
            TestRepositories.PATH,
            "--timestamp-column",
            "date",
            "--features",
            "origin_delays:nope",
            "--output",
            dir.resolve("o3").toString(),
            "--warehouse",
            warehouse);
    assertThat(unknownFeature.code()).isEqualTo(StrataCli.USAGE);
    assertThat(unknownFeature.err()).contains("feature view 'origin_delays' has no feature 'nope'");
  }

  /**
   * A user's repository on --repository-jar is chosen without -r, although the bundled example and
   * the test repositories are on the classpath too; -r still picks any of them.
   */
  @Test
  void aRepositoryOnAJarIsChosenWithoutNamingIt() throws Exception {
    Path jar = userRepositoryJar(dir.resolve("user"));
    Result plan = strata("plan", "--repository-jar", jar.toString());
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("+ feature view origin_delays (new, v1)");
    ok("apply", "--repository-jar", jar.toString());
    assertThat(ok("ls", "feature-views").out()).contains("origin_delays");
    Result named = strata("plan", "--repository-jar", jar.toString(), "-r", "flights");
    assertThat(named.code()).as(named.err()).isZero();
    Result none = strata("plan");
    assertThat(none.code()).isEqualTo(StrataCli.USAGE);
    assertThat(none.err()).contains("More than one feature repository found");
  }

  /** Compiles a repository named 'mine' (the flights definitions) into a jar, as a user would. */
  static Path userRepositoryJar(Path work) throws Exception {
    Path src = work.resolve("src/userrepo/MineRepository.java");
    Files.createDirectories(src.getParent());
    Files.writeString(
        src,
        """
        package userrepo;

        public final class MineRepository implements dev.strata.dsl.FeatureRepository {
          public String name() {
            return "mine";
          }

          public dev.strata.dsl.Definitions definitions() {
            return dev.strata.examples.flights.FlightsRepository.definitions(
                dev.strata.examples.flights.FlightsRepository.path());
          }
        }
        """);
    Path classes = work.resolve("classes");
    Files.createDirectories(classes.resolve("META-INF/services"));
    javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
    int rc =
        javac.run(
            null,
            null,
            null,
            "-cp",
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            "-d",
            classes.toString(),
            src.toString());
    assertThat(rc).isZero();
    Files.writeString(
        classes.resolve("META-INF/services/dev.strata.dsl.FeatureRepository"),
        "userrepo.MineRepository\n");
    Path jar = work.resolve("mine.jar");
    try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
      for (String entry :
          List.of(
              "userrepo/MineRepository.class",
              "META-INF/services/dev.strata.dsl.FeatureRepository")) {
        out.putNextEntry(new java.util.jar.JarEntry(entry));
        out.write(Files.readAllBytes(classes.resolve(entry)));
        out.closeEntry();
      }
    }
    return jar;
  }

  /**
   * The example's definitions as a JSON document apply to the same content hashes as the Java
   * repository: a plan of the Java repository afterwards changes nothing. Invalid JSON definitions
   * are refused by the same validation.
   */
  @Test
  void definitionsInJsonApplyWithTheHashesOfTheJavaRepository() throws Exception {
    Path json = dir.resolve("flights.json");
    Files.writeString(
        json,
        dev.strata.registry.DefinitionCodec.toJson(
            dev.strata.examples.flights.FlightsRepository.definitions(TestRepositories.PATH)));
    assertThat(ok("plan", "--definitions", json.toString()).out())
        .contains("6 to add, 0 to update, 0 to remove, 0 unchanged");
    assertThat(ok("apply", "--definitions", json.toString()).out())
        .contains("Applied repository 'flights.json': registry at revision 1");
    assertThat(ok("plan", "-r", "flights").out())
        .contains("No changes. 0 to add, 0 to update, 0 to remove, 6 unchanged");

    Path wrong = dir.resolve("wrong.json");
    Files.writeString(
        wrong,
        """
        [ {"format": 1, "kind": "entity", "name": "airport",
           "joinKeys": [ {"name": "origin", "type": "STRING"} ]},
          {"format": 1, "kind": "source", "name": "flights2", "tableFormat": "parquet",
           "location": "x.parquet", "eventTimestamp": "ts",
           "columns": [ {"name": "ts", "type": "TIMESTAMP"}, {"name": "origin", "type": "STRING"},
                        {"name": "delay", "type": "INT64"} ]},
          {"format": 1, "kind": "feature_view", "name": "typed_wrong", "entities": ["airport"],
           "joinKeys": [ {"name": "origin", "type": "STRING"} ], "source": "flights2",
           "ttl": "PT1H", "cadence": "PT1H",
           "features": [ {"name": "d", "kind": "row", "type": "STRING",
                          "expr": {"op": "col", "name": "delay"}} ]} ]
        """);
    Result refused = strata("apply", "--definitions", wrong.toString());
    assertThat(refused.code()).isEqualTo(StrataCli.INVALID);
    assertThat(refused.err())
        .contains("feature view 'typed_wrong': feature 'd' would change type from STRING to INT64");
    Result both = strata("plan", "--definitions", json.toString(), "-r", "flights");
    assertThat(both.code()).isEqualTo(StrataCli.USAGE);
    assertThat(both.err())
        .contains(
            "--definitions cannot be combined with --repository, --repository-jar or --project");
  }

  /**
   * Retrieval without entity rows through the CLI, at cadence points and latest, against a
   * brute-force count of the sample's flights per origin.
   */
  @Test
  void historicalWithoutEntityRowsEqualsABruteForceCount() throws Exception {
    ok("apply", "-r", "flights");
    String warehouse = dir.resolve("warehouse").toString();
    SparkOptions sparkOptions = new SparkOptions();
    sparkOptions.warehouse = Warehouse.of(warehouse);
    org.apache.spark.sql.SparkSession spark = sparkOptions.session("test");
    // each origin's departure times, sorted
    java.util.Map<String, List<java.time.Instant>> flights = new java.util.TreeMap<>();
    for (org.apache.spark.sql.Row r :
        spark.read().parquet(TestRepositories.PATH).select("origin", "date").collectAsList()) {
      flights
          .computeIfAbsent(r.getString(0), k -> new ArrayList<>())
          .add(
              r.get(1) instanceof java.time.LocalDateTime l // the sample's timestamps: UTC
                  ? l.toInstant(java.time.ZoneOffset.UTC)
                  : r.getTimestamp(1).toInstant());
    }
    java.util.function.BiFunction<List<java.time.Instant>, java.time.Instant[], Long> count =
        (ts, range) ->
            ts.stream().filter(t -> !t.isBefore(range[0]) && t.isBefore(range[1])).count();
    java.time.Instant start = java.time.Instant.parse("2001-01-10T00:00:00Z");
    java.time.Instant end = java.time.Instant.parse("2001-01-10T03:00:00Z");
    java.time.Duration hour = java.time.Duration.ofHours(1);

    // every origin with a flight in the longest window (7 days) before a point has a row there
    List<String> expected = new ArrayList<>();
    for (java.time.Instant p = start; !p.isAfter(end); p = p.plus(hour)) {
      for (var e : flights.entrySet()) {
        java.time.Instant[] week = {p.minus(java.time.Duration.ofDays(7)), p};
        if (count.apply(e.getValue(), week) > 0) {
          expected.add(
              e.getKey()
                  + " "
                  + p
                  + " "
                  + count.apply(e.getValue(), new java.time.Instant[] {p.minus(hour), p})
                  + " "
                  + count.apply(
                      e.getValue(),
                      new java.time.Instant[] {p.minus(java.time.Duration.ofDays(1)), p}));
        }
      }
    }
    Result cadence =
        strata(
            "historical",
            "--features",
            "origin_delays:flights_1h,origin_delays:flights_1d",
            "--start",
            start.toString(),
            "--end",
            end.toString(),
            "--output",
            dir.resolve("cadence").toString(),
            "--warehouse",
            warehouse);
    assertThat(cadence.code()).as(cadence.err()).isZero();
    assertThat(cadence.out()).contains("Wrote " + expected.size() + " rows to parquet");
    List<String> actual = new ArrayList<>();
    for (org.apache.spark.sql.Row r :
        spark
            .read()
            .parquet(dir.resolve("cadence").toString())
            .select("origin", "feature_timestamp", "flights_1h", "flights_1d")
            .collectAsList()) {
      actual.add(
          r.getString(0)
              + " "
              + r.getTimestamp(1).toInstant()
              + " "
              + r.getLong(2)
              + " "
              + r.getLong(3));
    }
    assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);

    Result latest =
        strata(
            "historical",
            "--features",
            "origin_delays:flights_1h",
            "--latest",
            "--end",
            end.toString(),
            "--output",
            dir.resolve("latest").toString(),
            "--warehouse",
            warehouse);
    assertThat(latest.code()).as(latest.err()).isZero();
    List<String> expectedLatest =
        expected.stream()
            .filter(l -> l.contains(" " + end + " "))
            .map(l -> l.substring(0, l.lastIndexOf(' ')))
            .toList();
    List<String> actualLatest = new ArrayList<>();
    for (org.apache.spark.sql.Row r :
        spark
            .read()
            .parquet(dir.resolve("latest").toString())
            .select("origin", "feature_timestamp", "flights_1h")
            .collectAsList()) {
      actualLatest.add(r.getString(0) + " " + r.getTimestamp(1).toInstant() + " " + r.getLong(2));
    }
    assertThat(actualLatest).isNotEmpty().containsExactlyInAnyOrderElementsOf(expectedLatest);

    Result mixed =
        strata(
            "historical",
            "--service",
            "delay_model",
            "--latest",
            "--end",
            end.toString(),
            "--output",
            dir.resolve("mixed").toString(),
            "--warehouse",
            warehouse);
    assertThat(mixed.code()).isEqualTo(StrataCli.USAGE);
    assertThat(mixed.err())
        .contains("retrieval without entity rows joins views on their keys")
        .contains("ask for views with the same keys, or give entity rows");
    Result neither =
        strata(
            "historical",
            "--features",
            "origin_delays:flights_1h",
            "--output",
            dir.resolve("x").toString());
    assertThat(neither.code()).isEqualTo(StrataCli.USAGE);
    assertThat(neither.err())
        .contains(
            "give --entities and --timestamp-column, or --start and --end, or --latest and --end");
  }

  /** A source whose files went away after apply: the view, the source, the path and what to do. */
  @Test
  void aSourceMovedAfterApplyIsNamedWithItsViewAndPath() throws Exception {
    Path moved = dir.resolve("flights-moved.parquet");
    Files.copy(Path.of(TestRepositories.PATH), moved);
    String before = System.getProperty("strata.flights.path");
    System.setProperty("strata.flights.path", moved.toString());
    try {
      ok("apply", "-r", "flights");
    } finally {
      if (before == null) {
        System.clearProperty("strata.flights.path");
      } else {
        System.setProperty("strata.flights.path", before);
      }
    }
    Files.delete(moved);
    String warehouse = dir.resolve("warehouse").toString();
    String expected =
        "error: feature view 'origin_delays': source 'flights' has no parquet files at "
            + moved
            + ": put its data back there, or point the source at its new path in the repository"
            + " and run 'strata apply'\n";

    Result backfill =
        strata(
            "backfill",
            "origin_delays",
            "--start",
            "2001-01-01",
            "--end",
            "2001-01-01",
            "--warehouse",
            warehouse);
    assertThat(backfill.code()).isEqualTo(StrataCli.INVALID);
    assertThat(backfill.err()).isEqualTo(expected);

    Result historical =
        strata(
            "historical",
            "--entities",
            TestRepositories.PATH,
            "--timestamp-column",
            "date",
            "--features",
            "origin_delays:avg_delay_1h",
            "--output",
            dir.resolve("out").toString(),
            "--warehouse",
            warehouse);
    assertThat(historical.code()).isEqualTo(StrataCli.INVALID);
    assertThat(historical.err()).isEqualTo(expected);
    assertThat(Files.exists(dir.resolve("out"))).isFalse();
  }

  /** Every exit code of the README's table, each from a real command. */
  @Test
  void historicalWritesTheEntityTimestampBackAsTheSameParquetTypeNeverInt96() throws Exception {
    ok("apply", "-r", "flights");
    String warehouse = dir.resolve("warehouse").toString();
    SparkOptions sparkOptions = new SparkOptions();
    sparkOptions.warehouse = Warehouse.of(warehouse);
    org.apache.spark.sql.SparkSession spark = sparkOptions.session("test");
    // entity rows whose time column is an instant: INT64 TIMESTAMP(MICROS, UTC), as DuckDB,
    // pandas and Spark with this setting write it (whatever the session's own default is)
    String key = "spark.sql.parquet.outputTimestampType";
    String before = spark.conf().get(key);
    String entities = dir.resolve("entities-micros").toString();
    spark.conf().set(key, "TIMESTAMP_MICROS");
    try {
      spark
          .read()
          .parquet(TestRepositories.PATH)
          .limit(20)
          .selectExpr("origin", "cast(date as timestamp) as departure")
          .write()
          .parquet(entities);
    } finally {
      spark.conf().set(key, before);
    }
    org.apache.parquet.schema.LogicalTypeAnnotation instant =
        org.apache.parquet.schema.LogicalTypeAnnotation.timestampType(
            true, org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit.MICROS);
    assertThat(timestampTypes(spark, entities)).containsOnly("departure INT64 " + instant);

    String out = dir.resolve("historical-out").toString();
    ok(
        "historical",
        "--entities",
        entities,
        "--timestamp-column",
        "departure",
        "--features",
        "origin_delays:avg_delay_1h",
        "--output",
        out,
        "--warehouse",
        warehouse);
    assertThat(timestampTypes(spark, out)).containsOnly("departure INT64 " + instant);
  }

  /**
   * The Parquet type of every timestamp column (and of any INT96 column) in the footers of the
   * files under {@code dir}, as "name PRIMITIVE logical-type".
   */
  private static java.util.Set<String> timestampTypes(
      org.apache.spark.sql.SparkSession spark, String dir) throws Exception {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    java.util.Set<String> found = new java.util.TreeSet<>();
    List<Path> files;
    try (var walk = Files.walk(Path.of(dir))) {
      files = walk.filter(f -> f.toString().endsWith(".parquet")).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      try (org.apache.parquet.hadoop.ParquetFileReader reader =
          org.apache.parquet.hadoop.ParquetFileReader.open(
              org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                  new org.apache.hadoop.fs.Path(f.toUri()), conf))) {
        for (org.apache.parquet.schema.Type t :
            reader.getFooter().getFileMetaData().getSchema().getFields()) {
          if (!t.isPrimitive()) {
            continue;
          }
          org.apache.parquet.schema.PrimitiveType p = t.asPrimitiveType();
          boolean int96 =
              p.getPrimitiveTypeName()
                  == org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT96;
          if (int96
              || p.getLogicalTypeAnnotation()
                  instanceof
                  org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
            found.add(
                p.getName() + " " + p.getPrimitiveTypeName() + " " + p.getLogicalTypeAnnotation());
          }
        }
      }
    }
    return found;
  }

  @Test
  void everyExitCodeOfTheReadmeTableComesFromARealCommand() throws Exception {
    String warehouse = dir.resolve("warehouse").toString();
    assertThat(strata("ls").code()).as("0 success").isEqualTo(StrataCli.OK).isZero();
    assertThat(ok("apply", "-r", "flights").code()).isZero();

    // 1: an unexpected failure: the warehouse is a place nothing can be written
    Result failure =
        strata(
            "backfill",
            "origin_delays",
            "--start",
            "2001-01-02",
            "--end",
            "2001-01-02",
            "--warehouse",
            "/proc/strata-warehouse");
    assertThat(failure.code())
        .as("1 failure: %s", failure.err())
        .isEqualTo(StrataCli.FAILURE)
        .isEqualTo(1);
    assertThat(failure.err()).startsWith("error: ").doesNotContain("\tat ");

    Result usage =
        strata("backfill", "origin_delays", "--start", "yesterday", "--end", "2001-01-02");
    assertThat(usage.code()).as("2 usage").isEqualTo(StrataCli.USAGE).isEqualTo(2);
    Result badVersion = strata("describe", "view", "origin_delays@vX");
    assertThat(badVersion.code()).as("2 usage").isEqualTo(2);
    assertThat(badVersion.err())
        .contains("'origin_delays@vX' is not NAME or NAME@vN")
        .doesNotContain("For input string");

    Result invalid = strata("apply", "-r", "flights-invalid");
    assertThat(invalid.code()).as("3 invalid").isEqualTo(StrataCli.INVALID).isEqualTo(3);

    Result conflict = strata("apply", "-r", "flights-breaking");
    assertThat(conflict.code()).as("4 conflict").isEqualTo(StrataCli.CONFLICT).isEqualTo(4);

    Result notFound =
        strata(
            "backfill",
            "no_such_view",
            "--start",
            "2001-01-02",
            "--end",
            "2001-01-02",
            "--warehouse",
            warehouse);
    assertThat(notFound.code()).as("5 not found").isEqualTo(StrataCli.NOT_FOUND).isEqualTo(5);
    assertThat(notFound.err()).contains("No feature view named 'no_such_view' is registered");

    Result unavailable =
        run("ls", "--registry", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=2");
    assertThat(unavailable.code())
        .as("6 unavailable")
        .isEqualTo(StrataCli.UNAVAILABLE)
        .isEqualTo(6);

    // the table in the README lists exactly these
    String readme = Files.readString(Path.of("..", "README.md"));
    for (String row : List.of("| 0 |", "| 1 |", "| 2 |", "| 3 |", "| 4 |", "| 5 |", "| 6 |")) {
      assertThat(readme).contains(row);
    }
  }

  /** "PRESENT" once per feature the example's service takes from origin_delays, comma-separated. */
  private static String presentForEveryOriginFeature() {
    int n =
        dev.strata.examples.flights.FlightsRepository.definitions(TestRepositories.PATH)
            .featureService("delay_model")
            .orElseThrow()
            .projections()
            .stream()
            .filter(p -> p.view().equals("origin_delays"))
            .mapToInt(p -> p.features().size())
            .sum();
    return String.join(",", java.util.Collections.nCopies(n, "\"PRESENT\""));
  }
}
