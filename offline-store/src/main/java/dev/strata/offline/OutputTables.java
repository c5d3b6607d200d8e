package dev.strata.offline;

import dev.strata.dsl.Snapshot;
import dev.strata.dsl.TableLocation;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.RunRecord;
import dev.strata.registry.RunTracker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The template of a job whose output is one table (a historical retrieval, a scoring run): the job
 * computes its rows as a pure {@code Dataset -> Dataset} step; this records the run, writes the
 * rows through {@link Tables}, records the output table at its snapshot in the lineage with an edge
 * from each of the run's inputs, and completes the run. A failure is recorded as the run's end,
 * with its message, and rethrown.
 *
 * <pre>{@code
 * Written w = OutputTables.write(spark, registry,
 *     RunRecord.started("strata.historical", inputs, Map.of()), rows, TableFormat.DELTA.at(out), false);
 * }</pre>
 */
public final class OutputTables {
  private OutputTables() {}

  /** What a job wrote: the table, its new snapshot (none for Parquet), its rows, the run. */
  public record Written(
      TableLocation table, Optional<Snapshot> snapshot, long rows, RunRecord run) {}

  public static Written write(
      SparkSession spark,
      RegistryStore registry,
      RunRecord started,
      Dataset<Row> rows,
      TableLocation output,
      boolean overwrite) {
    return RunTracker.run(
        registry,
        started,
        run -> {
          Progress.phase(spark, "compute and write " + output.location());
          Optional<Snapshot> snapshot = Tables.write(spark, rows, output, overwrite);
          long count = Tables.read(spark, output, snapshot).count();
          LineageId id = LineageId.table(output, snapshot);
          List<LineageEdge> edges = new ArrayList<>();
          started.inputs().forEach(i -> edges.add(new LineageEdge(i, id)));
          registry.recordLineage(
              List.of(LineageNode.of(id, Map.of("rows", Long.toString(count)))), edges);
          RunRecord done = run.complete(List.of(id));
          return new Written(output, snapshot, count, done);
        });
  }
}
