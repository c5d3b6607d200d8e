package dev.strata.registry.jdbc;

import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.ObjectKind;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.ApplyResult;
import dev.strata.registry.CatalogEntry;
import dev.strata.registry.DriftReport;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.ModelVersion;
import dev.strata.registry.OfflineTable;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryException;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunQuality;
import dev.strata.registry.RunQuery;
import dev.strata.registry.RunRecord;
import dev.strata.registry.TrainingSet;
import dev.strata.registry.Watermark;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry on a JDBC database: embedded H2 by default, PostgreSQL in production. Opening a
 * store runs the schema migrations it lacks. Its three parts are separate classes over one
 * database: {@link JdbcDefinitions}, {@link JdbcLineage} and {@link JdbcRuns}.
 */
public final class JdbcRegistryStore implements RegistryStore {
  private final JdbcDatabase db;
  private final JdbcDefinitions definitions;
  private final JdbcLineage lineage;
  private final JdbcRuns runs;
  private final JdbcDrift drift;

  private JdbcRegistryStore(JdbcDatabase db) {
    this.db = db;
    this.definitions = new JdbcDefinitions(db);
    this.lineage = new JdbcLineage(db);
    this.runs = new JdbcRuns(db);
    this.drift = new JdbcDrift(db);
  }

  /** Opens (and migrates) the registry at a JDBC URL. */
  public static JdbcRegistryStore open(String url) {
    JdbcDatabase db = new JdbcDatabase(url);
    try {
      Migrations.migrate(db::connect);
    } catch (SQLException e) {
      db.close();
      throw new RegistryException(
          "Cannot migrate the registry database "
              + RegistryUrls.redact(url)
              + ": "
              + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return new JdbcRegistryStore(db);
  }

  public String url() {
    return db.url();
  }

  // definitions

  @Override
  public long revision() {
    return definitions.revision();
  }

  @Override
  public Plan plan(Definitions repository, ApplyOptions options) {
    return definitions.plan(repository, options);
  }

  @Override
  public ApplyResult apply(Definitions repository, ApplyOptions options) {
    return definitions.apply(repository, options);
  }

  @Override
  public Definitions current() {
    return definitions.current();
  }

  @Override
  public List<Registered<Definition>> list(ObjectKind kind) {
    return definitions.list(kind);
  }

  @Override
  public Optional<Registered<Definition>> get(ObjectKind kind, String name) {
    return definitions.get(kind, name);
  }

  @Override
  public Optional<Registered<Definition>> get(ObjectKind kind, String name, int version) {
    return definitions.get(kind, name, version);
  }

  @Override
  public List<Registered<Definition>> history(ObjectKind kind, String name) {
    return definitions.history(kind, name);
  }

  // lineage

  @Override
  public void recordLineage(List<LineageNode> nodes, List<LineageEdge> edges) {
    lineage.recordLineage(nodes, edges);
  }

  @Override
  public Optional<LineageNode> lineageNode(String id) {
    return lineage.lineageNode(id);
  }

  @Override
  public Optional<LineageNode> findLineageNode(String idOrName) {
    return lineage.findLineageNode(idOrName);
  }

  @Override
  public LineageGraph upstream(String nodeId) {
    return lineage.upstream(nodeId);
  }

  @Override
  public LineageGraph downstream(String nodeId) {
    return lineage.downstream(nodeId);
  }

  @Override
  public LineageNode registerVersion(
      String kind, String name, Map<String, String> properties, List<String> inputs) {
    return lineage.registerVersion(kind, name, properties, inputs);
  }

  @Override
  public List<LineageNode> versions(String kind, String name) {
    return lineage.versions(kind, name);
  }

  // runs and catalog

  @Override
  public void recordRun(RunRecord run) {
    runs.recordRun(run);
  }

  @Override
  public void completeRun(RunRecord completed, List<CatalogEntry> entries) {
    runs.completeRun(completed, entries);
  }

  @Override
  public Optional<RunRecord> run(String id) {
    return runs.run(id);
  }

  @Override
  public List<RunRecord> runs(RunQuery query) {
    return runs.runs(query);
  }

  @Override
  public Optional<OfflineTable> offlineTable(String view, int viewVersion) {
    return runs.offlineTable(view, viewVersion);
  }

  @Override
  public List<OfflineTable> offlineTables() {
    return runs.offlineTables();
  }

  @Override
  public Optional<Watermark> watermark(String view, int viewVersion, String onlineStore) {
    return runs.watermark(view, viewVersion, onlineStore);
  }

  @Override
  public List<Watermark> watermarks() {
    return runs.watermarks();
  }

  @Override
  public TrainingSet registerTrainingSet(TrainingSet draft, List<LineageId> inputs) {
    return runs.registerTrainingSet(draft, inputs);
  }

  @Override
  public List<TrainingSet> trainingSets(String name) {
    return runs.trainingSets(name);
  }

  @Override
  public ModelVersion registerModel(ModelVersion draft, List<LineageId> inputs) {
    return runs.registerModel(draft, inputs);
  }

  @Override
  public List<ModelVersion> models(String name) {
    return runs.models(name);
  }

  @Override
  public void recordQuality(RunQuality quality) {
    runs.recordQuality(quality);
  }

  @Override
  public Optional<RunQuality> quality(String runId) {
    return runs.quality(runId);
  }

  @Override
  public List<RunQuality> quality(RunQuality.Subject subject) {
    return runs.quality(subject);
  }

  @Override
  public void recordDrift(DriftReport report) {
    drift.recordDrift(report);
  }

  @Override
  public List<DriftReport> drift(String view) {
    return drift.drift(view);
  }

  @Override
  public List<DriftReport> latestDrift() {
    return drift.latestDrift();
  }

  @Override
  public void close() {
    db.close();
  }
}
