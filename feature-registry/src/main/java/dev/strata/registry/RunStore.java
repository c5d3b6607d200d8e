package dev.strata.registry;

import java.util.List;
import java.util.Optional;

/**
 * The runs part of the registry, and the catalog that completed runs leave: each view version's
 * offline table and each watermark, answered by indexed queries.
 */
public interface RunStore {

  /** Records a run, or updates it (same id). */
  void recordRun(RunRecord run);

  /**
   * Records a run's completion and what it leaves in the catalog, in one transaction: either both
   * are recorded or neither is.
   */
  void completeRun(RunRecord completed, List<CatalogEntry> entries);

  Optional<RunRecord> run(String id);

  /** All runs, oldest first. */
  default List<RunRecord> runs() {
    return runs(RunQuery.all());
  }

  /** The runs a query selects, oldest first. */
  List<RunRecord> runs(RunQuery query);

  /** A view version's offline table as its newest completed backfill left it (in any format). */
  Optional<OfflineTable> offlineTable(String view, int viewVersion);

  /** Every offline table, by view, version and format. */
  List<OfflineTable> offlineTables();

  /** How far a view version has been materialized into one online store. */
  Optional<Watermark> watermark(String view, int viewVersion, String onlineStore);

  /** Every watermark, by view, version and online store. */
  List<Watermark> watermarks();

  /**
   * Registers the next version of a training set ({@code draft}'s version is ignored): its catalog
   * row, its lineage node {@code training_dataset:NAME@vN} and edges from {@code inputs}, in one
   * transaction. Two processes registering the same name at once get different versions.
   */
  TrainingSet registerTrainingSet(TrainingSet draft, List<LineageId> inputs);

  /** Every version of a training set, oldest first; empty when none is registered. */
  List<TrainingSet> trainingSets(String name);

  /** Registers the next version of a model, as {@link #registerTrainingSet} does. */
  ModelVersion registerModel(ModelVersion draft, List<LineageId> inputs);

  /** Every version of a model, oldest first; empty when none is registered. */
  List<ModelVersion> models(String name);

  /**
   * Records what a run found about its rows outside its completion: for a run that a STRICT
   * expectation stops (a completed run passes its {@link RunQuality} to {@link #completeRun}).
   */
  void recordQuality(RunQuality quality);

  /** What a run found about its rows; empty for runs that measure none. */
  Optional<RunQuality> quality(String runId);

  /** What each run of a subject found, newest first (runs that failed included). */
  List<RunQuality> quality(RunQuality.Subject subject);
}
