package dev.strata.registry.jdbc;

import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Source;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.Change;
import dev.strata.registry.ChangeType;
import dev.strata.registry.JobKind;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageId;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import dev.strata.registry.RunRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lineage an apply records: a node per new definition version, and edges from source tables
 * through sources and feature views to feature services.
 */
final class ApplyLineage {
  private ApplyLineage() {}

  static final class LineagePlan {
    final Map<String, LineageNode> nodes = new LinkedHashMap<>();
    final List<LineageEdge> edges = new ArrayList<>();

    void edge(String from, String to) {
      LineageEdge e = new LineageEdge(LineageId.parse(from), LineageId.parse(to));
      if (!edges.contains(e)) {
        edges.add(e);
      }
    }
  }

  /**
   * Nodes for the new versions, and edges: source table -> source -> feature view -> feature
   * service. A new version of an upstream object also links to the current versions of what reads
   * it by name, so lineage shows which versions a job combined.
   */
  static LineagePlan lineageOf(
      Plan plan, Map<ObjectKind, Map<String, Registered<Definition>>> current) {
    Map<String, Integer> versionAfter = new HashMap<>();
    current.forEach((k, m) -> m.forEach((n, r) -> versionAfter.put(key(k, n), r.version())));
    Map<String, Change> changed = new HashMap<>();
    for (Change ch : plan.changes()) {
      if (ch.type() != ChangeType.REMOVE) {
        // Re-adding a removed object continues its history; the apply computes the number.
        versionAfter.put(key(ch.kind(), ch.name()), ch.toVersion());
        changed.put(key(ch.kind(), ch.name()), ch);
      }
    }
    LineagePlan out = new LineagePlan();
    Definitions d = plan.desired();
    for (Change ch : changed.values()) {
      String id = LineageNode.definitionId(ch.kind(), ch.name(), ch.toVersion());
      out.nodes.put(
          id,
          LineageNode.of(
              LineageId.definition(ch.kind(), ch.name(), ch.toVersion()),
              Map.of("content_hash", ch.toHash())));
      switch (ch.kind()) {
        case SOURCE:
          {
            Source s = (Source) ch.definition();
            LineageId tableId = LineageId.table(s.table(), Optional.empty());
            String table = tableId.toString();
            out.nodes.putIfAbsent(
                table, LineageNode.of(tableId, Map.of("format", s.format().name())));
            out.edge(table, id);
            for (FeatureView v : d.featureViews()) {
              if (v.source().equals(s.name())) {
                out.edge(id, versionId(ObjectKind.FEATURE_VIEW, v.name(), versionAfter));
              }
            }
            break;
          }
        case FEATURE_VIEW:
          {
            FeatureView v = (FeatureView) ch.definition();
            out.edge(versionId(ObjectKind.SOURCE, v.source(), versionAfter), id);
            for (FeatureService s : d.featureServices()) {
              for (Projection p : s.projections()) {
                if (p.view().equals(v.name())) {
                  out.edge(id, versionId(ObjectKind.FEATURE_SERVICE, s.name(), versionAfter));
                }
              }
            }
            break;
          }
        case FEATURE_SERVICE:
          {
            FeatureService s = (FeatureService) ch.definition();
            for (Projection p : s.projections()) {
              out.edge(versionId(ObjectKind.FEATURE_VIEW, p.view(), versionAfter), id);
            }
            break;
          }
        default:
          break;
      }
    }
    return out;
  }

  /** The apply itself, as a run: from the source tables it names to the versions it created. */
  static RunRecord applyRun(Plan plan, LineagePlan lineage, long revision, ApplyOptions o) {
    List<LineageId> inputs = new ArrayList<>();
    List<LineageId> outputs = new ArrayList<>();
    for (LineageNode n : lineage.nodes.values()) {
      (n.kind().equals(LineageNode.TABLE) ? inputs : outputs).add(n.lineageId());
    }
    return RunRecord.started(
            JobKind.APPLY,
            inputs,
            Map.of(
                "revision", Long.toString(revision),
                "summary", plan.summary(),
                "applied_by", o.appliedBy()))
        .completed(outputs);
  }

  private static String key(ObjectKind kind, String name) {
    return kind.name() + "/" + name;
  }

  private static String versionId(ObjectKind kind, String name, Map<String, Integer> versions) {
    return LineageNode.definitionId(kind, name, versions.get(key(kind, name)));
  }
}
