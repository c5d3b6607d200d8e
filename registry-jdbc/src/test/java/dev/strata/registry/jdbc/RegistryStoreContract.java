package dev.strata.registry.jdbc;

import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.Expectation;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Snapshot;
import dev.strata.dsl.Source;
import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.TableLocation;
import dev.strata.dsl.ValueType;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.BreakingChangeException;
import dev.strata.registry.Change;
import dev.strata.registry.ChangeType;
import dev.strata.registry.DefinitionCodec;
import dev.strata.registry.DriftReport;
import dev.strata.registry.ExpectationResult;
import dev.strata.registry.FeatureStatistics;
import dev.strata.registry.Fixtures;
import dev.strata.registry.InvalidDefinitionsException;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.OpenLineageExporter;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryException;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.SourceRead;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.Watermark;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry's behaviour; runs on every database the registry supports. */
abstract class RegistryStoreContract {
  protected JdbcRegistryStore registry;
  protected String url;

  /** A fresh, empty database for one test. */
  protected abstract String newDatabaseUrl() throws Exception;

  @BeforeEach
  void open() throws Exception {
    url = newDatabaseUrl();
    registry = JdbcRegistryStore.open(url);
  }

  @AfterEach
  void closeRegistry() {
    registry.close();
  }

  private ApplyResult apply(Definitions defs) {
    return registry.apply(defs, ApplyOptions.defaults());
  }

  /** Every stored row of the definition tables, to prove that nothing changed. */
  private List<String> dump() throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      for (String sql :
          List.of(
              "SELECT revision FROM registry_state",
              "SELECT kind, name, current_version, removed FROM registry_objects",
              "SELECT kind, name, version, content_hash FROM registry_versions",
              "SELECT revision, summary FROM registry_revisions",
              "SELECT id FROM lineage_nodes",
              "SELECT from_id, to_id FROM lineage_edges",
              "SELECT id, job FROM runs")) {
        try (ResultSet rs = st.executeQuery(sql)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            StringBuilder sb = new StringBuilder(sql.substring(sql.lastIndexOf(' ') + 1));
            for (int i = 1; i <= n; i++) {
              sb.append('|').append(rs.getString(i));
            }
            rows.add(sb.toString());
          }
        }
      }
    }
    Collections.sort(rows);
    return rows;
  }

  @Test
  void artifactVersionsAreNumberedInOrderEvenWhenRegisteredAtOnce() throws Exception {
    LineageNode first =
        registry.registerVersion(
            LineageNode.MODEL, "m", Map.of("auc", "0.7"), List.of("training_dataset:d@v1"));
    assertThat(first.id().toString()).isEqualTo("model:m@v1");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<LineageNode>> racing = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      int n = i;
      racing.add(
          pool.submit(
              () ->
                  registry.registerVersion(
                      LineageNode.MODEL, "m", Map.of("n", "" + n), List.of())));
    }
    List<String> ids = new ArrayList<>();
    for (Future<LineageNode> f : racing) {
      ids.add(f.get().id().toString());
    }
    pool.shutdown();
    assertThat(ids).doesNotHaveDuplicates().hasSize(8);
    assertThat(registry.versions(LineageNode.MODEL, "m"))
        .extracting(LineageNode::version)
        .containsExactly("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
    assertThat(registry.versions(LineageNode.MODEL, "m").get(0).properties())
        .containsEntry("auc", "0.7");
    assertThat(registry.upstream("model:m@v1").nodes().keySet()).contains("training_dataset:d@v1");
    assertThat(registry.versions(LineageNode.MODEL, "other")).isEmpty();
  }

  @Test
  void applyRegistersEveryObjectAtVersionOne() {
    ApplyResult r = apply(Fixtures.repository());

    assertThat(r.revision()).isEqualTo(1);
    assertThat(r.plan().count(ChangeType.ADD)).isEqualTo(6);
    for (ObjectKind kind : ObjectKind.values()) {
      for (Registered<Definition> reg : registry.list(kind)) {
        assertThat(reg.version()).isEqualTo(1);
        assertThat(reg.contentHash()).isEqualTo(DefinitionCodec.contentHash(reg.definition()));
      }
    }
    assertThat(registry.current().featureViews()).hasSize(2);
    assertThat(registry.featureView("user_spend"))
        .contains(Fixtures.repository().featureView("user_spend").orElseThrow());
  }

  @Test
  void applyingTheSameRepositoryTwiceChangesNothing() throws Exception {
    apply(Fixtures.repository());
    List<String> before = dump();

    Plan plan = registry.plan(Fixtures.repository(), ApplyOptions.defaults());
    ApplyResult again = apply(Fixtures.repository());

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.unchanged()).isEqualTo(6);
    assertThat(again.changed()).isFalse();
    assertThat(again.revision()).isEqualTo(1);
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void changingOneFeatureVersionsThatViewOnlyAndLineageShowsIt() {
    apply(Fixtures.repository());
    Map<String, String> hashesBefore = hashes();

    Definitions changed =
        Fixtures.repository(Fixtures.SPEND_7D.description("Money spent in the last week"), true);
    Plan plan = registry.plan(changed, ApplyOptions.defaults());
    apply(changed);

    assertThat(plan.changes())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.kind()).isEqualTo(ObjectKind.FEATURE_VIEW);
              assertThat(c.name()).isEqualTo("user_spend");
              assertThat(c.type()).isEqualTo(ChangeType.UPDATE);
              assertThat(c.breaking()).isFalse();
              assertThat(c.details())
                  .anyMatch(d -> d.contains("spend_7d") && d.contains("description"));
            });
    Map<String, String> hashesAfter = hashes();
    hashesBefore.forEach(
        (key, hash) -> {
          if (key.equals("FEATURE_VIEW/user_spend")) {
            assertThat(hashesAfter.get(key)).isNotEqualTo(hash);
          } else {
            assertThat(hashesAfter.get(key)).as(key).isEqualTo(hash);
          }
        });
    assertThat(registry.get(ObjectKind.FEATURE_VIEW, "user_spend").orElseThrow().version())
        .isEqualTo(2);
    assertThat(registry.get(ObjectKind.FEATURE_VIEW, "merchant_stats").orElseThrow().version())
        .isEqualTo(1);
    assertThat(registry.history(ObjectKind.FEATURE_VIEW, "user_spend"))
        .extracting(Registered::version)
        .containsExactly(1, 2);
    FeatureView v1 =
        (FeatureView)
            registry.get(ObjectKind.FEATURE_VIEW, "user_spend", 1).orElseThrow().definition();
    assertThat(v1.feature("spend_7d").orElseThrow().metadata().description()).isEmpty();

    LineageGraph up = registry.upstream("feature_service:fraud_model@v1");
    assertThat(up.contains("feature_view:user_spend@v1")).isTrue();
    assertThat(up.contains("feature_view:user_spend@v2")).isTrue();
    assertThat(up.contains("source:orders@v1")).isTrue();
    assertThat(up.contains("table:delta:/lake/orders")).isTrue();
    LineageGraph down = registry.downstream("table:delta:/lake/orders");
    assertThat(down.contains("feature_view:user_spend@v2")).isTrue();
    assertThat(down.contains("feature_service:fraud_model@v1")).isTrue();
    assertThat(registry.findLineageNode("feature_view:user_spend").orElseThrow().id())
        .isEqualTo(LineageId.parse("feature_view:user_spend@v2"));
    assertThat(up.render()).contains("<- feature_view:user_spend@v2");
  }

  private Map<String, String> hashes() {
    Map<String, String> out = new java.util.TreeMap<>();
    for (ObjectKind kind : ObjectKind.values()) {
      for (Registered<Definition> r : registry.list(kind)) {
        out.put(kind + "/" + r.name(), r.contentHash());
      }
    }
    return out;
  }

  @Test
  void unknownReferencesAreRefusedByPlanAndApplyAndChangeNothing() throws Exception {
    apply(Fixtures.repository());
    List<String> before = dump();
    Entity account =
        Entity.builder("account").joinKey("user_id", dev.strata.dsl.ValueType.INT64).build();
    FeatureView orphan =
        FeatureView.builder("account_orders")
            .entity(account)
            .source(Fixtures.orders())
            .aggregate(count().over(Duration.ofDays(1)).as("orders_1d"))
            .build();
    Definitions bad = Definitions.builder().add(orphan).build();

    assertThatThrownBy(() -> registry.plan(bad, ApplyOptions.defaults()))
        .isInstanceOf(InvalidDefinitionsException.class)
        .hasMessageContaining("feature view 'account_orders': entity 'account' is not defined");
    assertThatThrownBy(() -> apply(bad))
        .isInstanceOf(InvalidDefinitionsException.class)
        .hasMessageContaining("entity 'account' is not defined");
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void aServiceThatNamesAMissingFeatureIsRefused() throws Exception {
    List<String> before = dump();
    Definitions repo = Fixtures.repository();
    // a service stored earlier that selects a feature the view does not have
    Definitions bad =
        Definitions.builder()
            .addAll(
                Fixtures.USER,
                Fixtures.MERCHANT,
                repo.source("orders").orElseThrow(),
                repo.featureView("user_spend").orElseThrow(),
                repo.featureView("merchant_stats").orElseThrow(),
                dev.strata.dsl.FeatureService.builder("fraud_model")
                    .include(new dev.strata.dsl.Projection("user_spend", List.of("spend_30d")))
                    .build())
            .build();

    assertThatThrownBy(() -> apply(bad))
        .isInstanceOf(InvalidDefinitionsException.class)
        .hasMessageContaining(
            "feature service 'fraud_model': feature 'spend_30d' does not exist in feature view"
                + " 'user_spend'");
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void aChangedSourceColumnTypeThatBreaksAViewIsRefused() throws Exception {
    apply(Fixtures.repository());
    List<String> before = dump();
    Source.Builder b = Source.builder("orders").delta("/lake/orders").eventTimestamp("ordered_at");
    Fixtures.orders()
        .columns()
        .forEach(
            (name, type) ->
                b.column(name, name.equals("amount") ? dev.strata.dsl.ValueType.STRING : type));
    Source changed = b.build();

    assertThatThrownBy(() -> apply(Definitions.builder().add(changed).build()))
        .isInstanceOf(InvalidDefinitionsException.class)
        .hasMessageContaining("feature view 'user_spend'")
        .hasMessageContaining("sum needs a number, found STRING");
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void breakingChangesAreMarkedAndNeedPermission() throws Exception {
    apply(Fixtures.repository());
    List<String> before = dump();
    // spend_7d becomes a count: FLOAT64 -> INT64; orders_1d, used by the service, disappears
    Definitions breaking =
        Fixtures.repository(count(col("amount")).over(Duration.ofDays(7)).as("spend_7d"), false);

    Plan plan = registry.plan(breaking, ApplyOptions.defaults());
    Change view =
        plan.changes().stream()
            .filter(c -> c.name().equals("user_spend"))
            .findFirst()
            .orElseThrow();
    assertThat(view.breakingReasons())
        .anyMatch(r -> r.contains("'spend_7d' changes type from FLOAT64 to INT64"))
        .anyMatch(r -> r.contains("'orders_1d' is removed but feature service 'fraud_model'"));
    assertThatThrownBy(() -> apply(breaking))
        .isInstanceOf(BreakingChangeException.class)
        .hasMessageContaining("spend_7d");
    assertThat(dump()).isEqualTo(before);

    ApplyResult forced = registry.apply(breaking, ApplyOptions.defaults().withAllowBreaking(true));
    assertThat(forced.revision()).isEqualTo(2);
    assertThat(registry.featureView("user_spend").orElseThrow().feature("orders_1d")).isEmpty();
  }

  @Test
  void pruneRemovesWhatTheRepositoryDropsAndKeepsHistory() {
    apply(Fixtures.repository());
    Definitions smaller =
        Definitions.builder()
            .addAll(
                Fixtures.USER,
                Fixtures.orders(),
                Fixtures.repository().featureView("user_spend").orElseThrow())
            .build();

    Plan withoutPrune = registry.plan(smaller, ApplyOptions.defaults());
    assertThat(withoutPrune.isEmpty()).isTrue();

    ApplyOptions prune = ApplyOptions.defaults().withPrune(true).withAllowBreaking(true);
    Plan plan = registry.plan(smaller, prune);
    assertThat(plan.changes())
        .extracting(c -> c.type() + " " + c.name())
        .containsExactlyInAnyOrder(
            "REMOVE merchant", "REMOVE merchant_stats", "REMOVE fraud_model");
    registry.apply(smaller, prune);

    assertThat(registry.featureView("merchant_stats")).isEmpty();
    assertThat(registry.history(ObjectKind.FEATURE_VIEW, "merchant_stats")).hasSize(1);
    // re-adding continues the history
    apply(Fixtures.repository());
    assertThat(registry.get(ObjectKind.FEATURE_VIEW, "merchant_stats").orElseThrow().version())
        .isEqualTo(2);
  }

  @Test
  void concurrentAppliesOfDifferentViewsLoseNoUpdate() throws Exception {
    apply(Fixtures.repository());
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ApplyResult>> results = new ArrayList<>();
    Source orders = Fixtures.orders();
    for (int i = 0; i < threads; i++) {
      int n = i;
      results.add(
          pool.submit(
              () -> {
                FeatureView v =
                    FeatureView.builder("view_" + n)
                        .entity(Fixtures.USER)
                        .source(orders)
                        .aggregate(count().over(Duration.ofHours(n + 1)).as("orders"))
                        .build();
                start.await();
                return apply(Definitions.builder().add(v).build());
              }));
    }
    start.countDown();
    List<Long> revisions = new ArrayList<>();
    for (Future<ApplyResult> f : results) {
      revisions.add(f.get().revision());
    }
    pool.shutdown();

    assertThat(revisions).doesNotHaveDuplicates();
    assertThat(registry.revision()).isEqualTo(1 + threads);
    for (int i = 0; i < threads; i++) {
      assertThat(registry.featureView("view_" + i)).as("view_" + i).isPresent();
    }
  }

  @Test
  void concurrentAppliesOfTheSameViewKeepEveryVersion() throws Exception {
    apply(Fixtures.repository());
    int threads = 5;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<ApplyResult>> results = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String description = "edit " + i;
      results.add(
          pool.submit(
              () -> {
                Definitions d =
                    Fixtures.repository(Fixtures.SPEND_7D.description(description), true);
                start.await();
                return apply(d);
              }));
    }
    start.countDown();
    for (Future<ApplyResult> f : results) {
      assertThat(f.get().changed()).isTrue();
    }
    pool.shutdown();

    List<Registered<Definition>> history = registry.history(ObjectKind.FEATURE_VIEW, "user_spend");
    assertThat(history).extracting(Registered::version).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(
            history.stream()
                .skip(1)
                .map(
                    r ->
                        ((FeatureView) r.definition())
                            .feature("spend_7d")
                            .orElseThrow()
                            .metadata()
                            .description())
                .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("edit 0", "edit 1", "edit 2", "edit 3", "edit 4");
    assertThat(registry.revision()).isEqualTo(1 + threads);
  }

  @Test
  void aFailureInTheMiddleOfAnApplyLeavesNothingBehind() throws Exception {
    apply(Fixtures.repository());
    List<String> before = dump();
    // the apply writes versions first and the revision log after: break the log
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("ALTER TABLE registry_revisions RENAME TO registry_revisions_gone");
    }
    try {
      assertThatThrownBy(() -> apply(Fixtures.repository(Fixtures.SPEND_7D.description("x"), true)))
          .isInstanceOf(RegistryException.class)
          .hasMessageContaining("nothing applied");
    } finally {
      try (Connection c = DriverManager.getConnection(url);
          Statement st = c.createStatement()) {
        st.execute("ALTER TABLE registry_revisions_gone RENAME TO registry_revisions");
      }
    }
    assertThat(dump()).isEqualTo(before);
  }

  @Test
  void runsAreRecordedAndExportedAsOpenLineageEvents(@TempDir Path dir) throws Exception {
    apply(Fixtures.repository());
    RunRecord run =
        RunRecord.started(
            JobKind.BACKFILL, ids("table:delta:/lake/orders"), Map.of("view", "user_spend"));
    registry.recordRun(run);
    registry.recordRun(run.completed(ids("offline_table:delta:/warehouse/user_spend@3")));

    List<RunRecord> runs = registry.runs();
    assertThat(runs).extracting(RunRecord::job).containsExactly(JobKind.APPLY, JobKind.BACKFILL);
    assertThat(runs.get(1).status()).isEqualTo(RunRecord.Status.COMPLETED);
    assertThat(runs.get(0).outputs()).contains(LineageId.parse("feature_view:user_spend@v1"));

    Path file = dir.resolve("events.jsonl");
    try (OpenLineageExporter exporter = OpenLineageExporter.toFile(file)) {
      assertThat(exporter.export(runs)).isEqualTo(4);
    }
    List<JsonNode> events = new ArrayList<>();
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(file)) {
      events.add(json.readTree(line));
    }
    assertThat(events)
        .extracting(e -> e.get("eventType").asText())
        .containsExactly("START", "COMPLETE", "START", "COMPLETE");
    JsonNode done = events.get(3);
    assertThat(done.at("/job/name").asText()).isEqualTo("strata.backfill");
    assertThat(done.at("/run/runId").asText()).isEqualTo(run.id());
    assertThat(done.at("/inputs/0/name").asText()).isEqualTo("table:delta:/lake/orders");
    assertThat(done.at("/outputs/0/name").asText())
        .isEqualTo("offline_table:delta:/warehouse/user_spend@3");

    // the same events over HTTP to a real (loopback) endpoint
    List<String> bodies = Collections.synchronizedList(new ArrayList<>());
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/v1/lineage",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            bodies.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
          exchange.sendResponseHeaders(201, -1);
          exchange.close();
        });
    server.start();
    try (OpenLineageExporter exporter =
        OpenLineageExporter.toHttp(
            URI.create("http://127.0.0.1:" + server.getAddress().getPort()))) {
      exporter.export(List.of(runs.get(1)));
    } finally {
      server.stop(0);
    }
    assertThat(bodies).hasSize(2);
    assertThat(json.readTree(bodies.get(1)).at("/job/name").asText()).isEqualTo("strata.backfill");
  }

  @Test
  void aCompletedRunAndItsCatalogEntriesAreRecordedTogether() {
    TableLocation delta =
        TableLocation.of(SourceFormat.DELTA, "s3a://lake/wh/offline/delta/delays_v1");
    TableLocation iceberg = TableLocation.of(SourceFormat.ICEBERG, "offline.delays_v1");
    Instant t0 = Instant.parse("2001-01-01T00:00:00Z");
    RunRecord backfill = RunRecord.started(JobKind.BACKFILL, List.of(), Map.of());
    registry.recordRun(backfill);
    assertThat(registry.offlineTable("delays", 1)).isEmpty();
    registry.completeRun(
        backfill.completed(List.of()),
        List.of(new OfflineTable("delays", 1, delta, new Snapshot("4"), backfill.id(), t0)));
    assertThat(registry.run(backfill.id()).orElseThrow().status())
        .isEqualTo(RunRecord.Status.COMPLETED);
    assertThat(registry.offlineTable("delays", 1))
        .contains(new OfflineTable("delays", 1, delta, new Snapshot("4"), backfill.id(), t0));
    // the newest backfill of the version wins, in whichever format
    registry.completeRun(
        backfill.completed(List.of()),
        List.of(
            new OfflineTable("delays", 1, iceberg, new Snapshot("77"), "r2", t0.plusSeconds(1))));
    assertThat(registry.offlineTable("delays", 1).orElseThrow().table()).isEqualTo(iceberg);
    assertThat(registry.offlineTables()).hasSize(2);
    assertThat(registry.offlineTable("delays", 2)).isEmpty();

    // a watermark only moves forward
    Instant e1 = Instant.parse("2001-01-02T00:00:00Z");
    registry.completeRun(
        backfill.completed(List.of()),
        List.of(new Watermark("delays", 1, "redis://h:1", e1, "m1", t0)));
    registry.completeRun(
        backfill.completed(List.of()),
        List.of(new Watermark("delays", 1, "redis://h:1", e1.minusSeconds(60), "m0", t0)));
    assertThat(registry.watermark("delays", 1, "redis://h:1").orElseThrow().end()).isEqualTo(e1);
    assertThat(registry.watermark("delays", 1, "redis://other:1")).isEmpty();
    registry.completeRun(
        backfill.completed(List.of()),
        List.of(new Watermark("delays", 1, "redis://h:1", e1.plusSeconds(1), "m2", t0)));
    assertThat(registry.watermark("delays", 1, "redis://h:1").orElseThrow().runId())
        .isEqualTo("m2");
    assertThat(registry.runs(RunQuery.job(JobKind.BACKFILL).withStatus(RunRecord.Status.COMPLETED)))
        .extracting(RunRecord::id)
        .containsExactly(backfill.id());
    assertThat(registry.runs(RunQuery.job(JobKind.APPLY))).isEmpty();
  }

  @Test
  void runQualityRoundTripsWithItsRunAndIsFoundBySubjectNewestFirst() {
    Instant t0 = Instant.parse("2001-01-01T00:00:00Z");
    FeatureStatistics delay =
        new FeatureStatistics(
            "avg_delay_1d",
            ValueType.FLOAT64,
            100,
            3,
            12.5,
            4.25,
            -7.0,
            1440.0,
            List.of(-5.0, -1.0, 3.0, 10.0, 20.0, 40.0, 90.0),
            61,
            FeatureStatistics.Histogram.of(new long[] {0, 2, 0, 95}));
    FeatureStatistics origin =
        new FeatureStatistics(
            "origin",
            ValueType.STRING,
            100,
            0,
            null,
            null,
            null,
            null,
            List.of(),
            7,
            FeatureStatistics.Histogram.EMPTY);
    ExpectationResult warned =
        new ExpectationResult(
            "delays", "rowCount().atLeast(1000)", Expectation.Severity.WARN, false, "100 rows");
    RunRecord backfill = RunRecord.started(JobKind.BACKFILL, List.of(), Map.of());
    registry.recordRun(backfill);
    RunQuality q =
        new RunQuality(
            backfill.id(),
            JobKind.BACKFILL,
            RunQuality.Subject.view("delays", 1),
            Optional.of(new Snapshot("4")),
            t0,
            List.of(delay, origin),
            List.of(warned));
    registry.completeRun(backfill.completed(List.of()), List.of(q));
    assertThat(registry.quality(backfill.id())).contains(q);

    // a run stopped by a STRICT expectation records its findings without a snapshot
    RunRecord stopped = RunRecord.started(JobKind.BACKFILL, List.of(), Map.of());
    registry.recordRun(stopped);
    RunQuality failed =
        new RunQuality(
            stopped.id(),
            JobKind.BACKFILL,
            RunQuality.Subject.view("delays", 1),
            Optional.empty(),
            t0.plusSeconds(60),
            List.of(),
            List.of(
                new ExpectationResult(
                    "delays", "notNull(x)", Expectation.Severity.STRICT, false, "1 of 4 null")));
    registry.recordQuality(failed);
    assertThat(registry.quality(RunQuality.Subject.view("delays", 1))).containsExactly(failed, q);
    assertThat(registry.quality(RunQuality.Subject.view("delays", 2))).isEmpty();
    assertThat(registry.quality("no-such-run")).isEmpty();
  }

  @Test
  void driftReportsReadBackWholeNewestFirstAndNewestPerView() {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    DriftReport.FeatureDrift delay =
        new DriftReport.FeatureDrift(
            "avg_delay",
            700,
            650,
            1.25,
            0.5,
            0.375,
            true,
            List.of(-3.0, 0.0, 4.5),
            List.of(70L, 210L, 280L, 140L),
            List.of(10L, 20L, 20L, 600L));
    DriftReport.FeatureDrift empty =
        new DriftReport.FeatureDrift(
            "flights",
            700,
            0,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            true,
            List.of(),
            List.of(),
            List.of());
    DriftReport first =
        new DriftReport(
            "d1",
            t0,
            "delays",
            1,
            "2001-01-08..2001-01-14",
            "2001-01-15..2001-01-21",
            DriftReport.Thresholds.DEFAULTS,
            List.of(delay, empty));
    DriftReport second =
        new DriftReport(
            "d2",
            t0.plusSeconds(60),
            "delays",
            2,
            "training set t@v1",
            "served 2026-11-26..2026-11-26",
            new DriftReport.Thresholds(0.1, 0.05, 0.2),
            List.of(delay));
    DriftReport other =
        new DriftReport(
            "d3",
            t0.plusSeconds(30),
            "routes",
            1,
            "a",
            "b",
            DriftReport.Thresholds.DEFAULTS,
            List.of(delay));
    registry.recordDrift(first);
    registry.recordDrift(second);
    registry.recordDrift(other);
    assertThat(registry.drift("delays")).containsExactly(second, first);
    assertThat(registry.drift("delays").get(1).features().get(1).psi()).isNaN();
    assertThat(registry.latestDrift()).containsExactly(second, other);
    assertThat(registry.drift("nope")).isEmpty();
  }

  @Test
  void aRegistryWrittenBeforeTheCatalogMigratesItsRunsIntoIt() throws Exception {
    String old = newDatabaseUrl();
    Migrations.migrate(() -> DriverManager.getConnection(old), 2);
    Instant t = Instant.parse("2024-05-01T00:00:00Z");
    Instant e1 = Instant.parse("2001-01-02T00:00:00Z");
    Instant e2 = Instant.parse("2001-01-03T00:00:00Z");
    try (Connection c = DriverManager.getConnection(old)) {
      oldRun(
          c,
          "b1",
          "strata.backfill",
          "COMPLETED",
          t,
          List.of("table:delta:/src@0", "feature_view:delays@v1"),
          List.of("offline_table:delta:/wh/offline/delta/delays_v1@0"),
          Map.of("view", "delays", "format", "delta", "location", "/wh/offline/delta/delays_v1"));
      oldRun(
          c,
          "b2",
          "strata.backfill",
          "COMPLETED",
          t.plusSeconds(1),
          List.of("table:delta:/src@1", "feature_view:delays@v1"),
          List.of("offline_table:delta:/wh/offline/delta/delays_v1@1"),
          Map.of("view", "delays", "format", "delta", "location", "/wh/offline/delta/delays_v1"));
      oldRun(
          c,
          "b3",
          "strata.backfill",
          "FAILED",
          t.plusSeconds(2),
          List.of("feature_view:delays@v1"),
          List.of(),
          Map.of(
              "view",
              "delays",
              "format",
              "hudi",
              "location",
              "/wh/offline/hudi/delays_v1",
              "error",
              "boom"));
      oldRun(
          c,
          "b4",
          "strata.backfill",
          "COMPLETED",
          t.plusSeconds(3),
          List.of("feature_view:delays@v2"),
          List.of("offline_table:iceberg:offline.delays_v2@8812"),
          Map.of("view", "delays", "format", "iceberg", "location", "offline.delays_v2"));
      oldRun(
          c,
          "m1",
          "strata.materialize",
          "COMPLETED",
          t.plusSeconds(4),
          List.of(),
          List.of(),
          Map.of(
              "view",
              "delays",
              "version",
              "1",
              "end",
              e1.toString(),
              "online_store",
              "redis://h:1"));
      oldRun(
          c,
          "m2",
          "strata.materialize",
          "COMPLETED",
          t.plusSeconds(5),
          List.of(),
          List.of(),
          Map.of(
              "view",
              "delays",
              "version",
              "1",
              "end",
              e2.toString(),
              "online_store",
              "redis://h:1"));
      oldRun(
          c,
          "m3",
          "strata.materialize",
          "COMPLETED",
          t.plusSeconds(6),
          List.of(),
          List.of(),
          Map.of(
              "view",
              "delays",
              "version",
              "1",
              "end",
              e1.toString(),
              "online_store",
              "redis://h:1"));
      oldRun(
          c,
          "m4",
          "strata.materialize",
          "FAILED",
          t.plusSeconds(7),
          List.of(),
          List.of(),
          Map.of(
              "view",
              "delays",
              "version",
              "1",
              "end",
              e2.plusSeconds(3600).toString(),
              "online_store",
              "redis://h:1"));
      oldRun(
          c,
          "m5",
          "strata.materialize",
          "COMPLETED",
          t.plusSeconds(8),
          List.of(),
          List.of(),
          Map.of("view", "delays", "version", "1", "end", e1.toString()));
    }
    try (JdbcRegistryStore migrated = JdbcRegistryStore.open(old)) {
      assertThat(migrated.offlineTable("delays", 1))
          .contains(
              new OfflineTable(
                  "delays",
                  1,
                  TableLocation.of(SourceFormat.DELTA, "/wh/offline/delta/delays_v1"),
                  new Snapshot("1"),
                  "b2",
                  t.plusSeconds(1)));
      assertThat(migrated.offlineTable("delays", 2).orElseThrow().table())
          .isEqualTo(TableLocation.of(SourceFormat.ICEBERG, "offline.delays_v2"));
      assertThat(migrated.offlineTable("delays", 2).orElseThrow().snapshot())
          .isEqualTo(new Snapshot("8812"));
      assertThat(migrated.offlineTables()).hasSize(2);
      assertThat(migrated.watermark("delays", 1, "redis://h:1").orElseThrow())
          .extracting(Watermark::end, Watermark::runId)
          .containsExactly(e2, "m2");
      assertThat(migrated.watermark("delays", 1, "").orElseThrow().end()).isEqualTo(e1);
      assertThat(migrated.watermarks()).hasSize(2);
      assertThat(migrated.runs()).hasSize(9);
    }
  }

  /** A run row as registries before the catalog wrote it (times in epoch microseconds). */
  private static void oldRun(
      Connection c,
      String id,
      String job,
      String status,
      Instant at,
      List<String> inputs,
      List<String> outputs,
      Map<String, String> props)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO runs (id, job, status, started_at, ended_at,"
                + " inputs, outputs, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      long micros = at.getEpochSecond() * 1_000_000L;
      ps.setString(1, id);
      ps.setString(2, job);
      ps.setString(3, status);
      ps.setLong(4, micros);
      ps.setLong(5, micros);
      ps.setString(6, json.writeValueAsString(inputs));
      ps.setString(7, json.writeValueAsString(outputs));
      ps.setString(8, json.writeValueAsString(new java.util.TreeMap<>(props)));
      ps.executeUpdate();
    }
  }

  static TrainingSet trainingSetDraft(String name) {
    return new TrainingSet(
        name,
        0,
        "",
        TableLocation.of(SourceFormat.DELTA, "s3a://lake/wh/training_sets/" + name + "/ab12"),
        java.util.Optional.of(new Snapshot("0")),
        1234,
        "987654321",
        TableLocation.of(SourceFormat.DELTA, "/labels"),
        java.util.Optional.of(new Snapshot("3")),
        "departure",
        "delayed",
        List.of("avg_delay_1h", "flights_1d"),
        "delay_model",
        2,
        Instant.parse("2001-01-03T00:00:00Z"),
        Instant.parse("2001-01-22T00:00:00Z"),
        List.of(
            new SourceRead("flights", java.util.Optional.of(new Snapshot("5"))),
            new SourceRead("airports", java.util.Optional.empty())),
        Map.of("origin_delays", 1, "route_stats", 3),
        "run-1");
  }

  static ModelVersion modelDraft(String name, String trainingSet) {
    return new ModelVersion(
        name,
        0,
        "",
        ModelVersion.Task.CLASSIFIER,
        trainingSet,
        List.of("avg_delay_1h", "flights_1d"),
        "delayed",
        "departure",
        Instant.parse("2001-01-18T00:00:00Z"),
        900,
        334,
        "/wh/models/m/spark",
        "/wh/models/m/xgboost/model.ubj",
        new ModelVersion.Params(2, 30, 5, 6, 0.1, 7, "cpu", 0.5),
        17,
        Map.of("auc", 0.71, "log_loss", 0.52),
        "run-2");
  }

  @Test
  void trainingSetsAndModelsAreTypedVersionedCatalogRows() throws Exception {
    TrainingSet v1 =
        registry.registerTrainingSet(trainingSetDraft("delays"), ids("table:delta:/labels@3"));
    TrainingSet v2 = registry.registerTrainingSet(trainingSetDraft("delays"), List.of());
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v2.nodeId()).isEqualTo("training_dataset:delays@v2");
    assertThat(registry.trainingSets("delays")).containsExactly(v1, v2);
    assertThat(registry.trainingSets("other")).isEmpty();
    assertThat(registry.upstream(v1.nodeId()).nodes()).containsKey("table:delta:/labels@3");

    ModelVersion m =
        registry.registerModel(modelDraft("delay_model", v2.nodeId()), ids(v2.nodeId()));
    assertThat(m.nodeId()).isEqualTo("model:delay_model@v1");
    assertThat(registry.models("delay_model")).containsExactly(m);
    assertThat(registry.downstream(v2.nodeId()).nodes()).containsKey(m.nodeId());

    // registered at once from eight threads: eight different versions
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<TrainingSet>> fs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        fs.add(
            pool.submit(() -> registry.registerTrainingSet(trainingSetDraft("busy"), List.of())));
      }
      List<Integer> versions = new ArrayList<>();
      for (Future<TrainingSet> f : fs) {
        versions.add(f.get().version());
      }
      assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void trainingSetsAndModelsRegisteredAsLineageNodesMoveIntoTheCatalog() throws Exception {
    String old = newDatabaseUrl();
    Migrations.migrate(() -> DriverManager.getConnection(old), 3);
    TrainingSet ts = trainingSetDraft("delays").withVersion(1);
    ModelVersion m = modelDraft("delay_model", ts.nodeId()).withVersion(1);
    try (Connection c = DriverManager.getConnection(old)) {
      JdbcLineage.insertNode(
          c, LineageNode.of(LineageNode.TRAINING_DATASET, "delays", "v1", ts.toProperties()));
      JdbcLineage.insertNode(
          c, LineageNode.of(LineageNode.MODEL, "delay_model", "v1", m.toProperties()));
    }
    try (JdbcRegistryStore migrated = JdbcRegistryStore.open(old)) {
      assertThat(migrated.trainingSets("delays")).containsExactly(ts);
      assertThat(migrated.models("delay_model")).containsExactly(m);
      assertThat(migrated.registerTrainingSet(trainingSetDraft("delays"), List.of()).version())
          .isEqualTo(2);
    }
  }

  /** Lineage ids from their text forms. */
  static List<LineageId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(LineageId::parse).toList();
  }
}
