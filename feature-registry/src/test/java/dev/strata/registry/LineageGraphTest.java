package dev.strata.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lineage printed as a DAG, against hand-written expected text. */
class LineageGraphTest {
  static LineageNode node(String id) {
    return new LineageNode(LineageId.parse(id), Map.of(), Instant.EPOCH);
  }

  static LineageEdge edge(String from, String to) {
    return new LineageEdge(LineageId.parse(from), LineageId.parse(to));
  }

  /**
   * A model from a training set that read two views of one table: the table and its run are listed
   * once, and the second path to them is marked.
   */
  @Test
  void aNodeReachedByTwoPathsIsListedOnceAndMarkedAfterwards() {
    String model = "model:m@v1";
    String set = "training_dataset:s@v1";
    String a = "feature_view:a@v1";
    String b = "feature_view:b@v1";
    String table = "table:parquet:/data/f";
    String source = "source:flights@v1";
    List<LineageEdge> edges =
        List.of(
            edge(set, model),
            edge(a, set),
            edge(b, set),
            edge(source, a),
            edge(source, b),
            edge(table, source),
            edge(table, set));
    Map<String, LineageNode> nodes = new LinkedHashMap<>();
    for (String id : List.of(model, set, a, b, table, source)) {
      nodes.put(id, node(id));
    }
    LineageGraph up = new LineageGraph(node(model), true, nodes, edges);
    assertThat(up.render())
        .isEqualTo(
            """
            upstream of model:m@v1
              <- training_dataset:s@v1
                <- feature_view:a@v1
                  <- source:flights@v1
                    <- table:parquet:/data/f
                <- feature_view:b@v1
                  <- source:flights@v1 (see above)
                <- table:parquet:/data/f (see above)
            """);

    LineageGraph down = new LineageGraph(node(table), false, nodes, edges);
    assertThat(down.render())
        .isEqualTo(
            """
            downstream of table:parquet:/data/f
              -> source:flights@v1
                -> feature_view:a@v1
                  -> training_dataset:s@v1
                    -> model:m@v1
                -> feature_view:b@v1
                  -> training_dataset:s@v1 (see above)
              -> training_dataset:s@v1 (see above)
            """);
  }
}
