package dev.strata.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Computes a {@link Plan}: the difference between the registry and a repository. Pure. */
public final class Planner {
  private static final Set<String> IDENTITY_FIELDS = Set.of("format", "kind", "name");

  private Planner() {}

  /**
   * @param current the registry's objects, by kind and name (removed objects excluded)
   * @param repository what the repository defines
   */
  public static Plan plan(
      long revision,
      Map<ObjectKind, Map<String, Registered<Definition>>> current,
      Definitions repository,
      ApplyOptions options) {
    Definitions.Builder desired = Definitions.builder();
    for (Map<String, Registered<Definition>> byName : current.values()) {
      for (Registered<Definition> r : byName.values()) {
        desired.add(r.definition());
      }
    }
    List<Change> changes = new ArrayList<>();
    int unchanged = 0;
    for (ObjectKind kind : ObjectKind.values()) {
      Map<String, Registered<Definition>> registered = current.getOrDefault(kind, Map.of());
      for (String name : repository.names(kind)) {
        Definition def = repository.get(kind, name).orElseThrow();
        desired.put(def);
        String hash = DefinitionCodec.contentHash(def);
        Registered<Definition> now = registered.get(name);
        if (now == null) {
          changes.add(
              new Change(kind, name, ChangeType.ADD, 0, null, hash, List.of(), List.of(), def));
        } else if (!now.contentHash().equals(hash)) {
          List<String> details = new ArrayList<>();
          List<String> breaking = new ArrayList<>();
          diff(kind, now.definition(), def, current, details, breaking);
          changes.add(
              new Change(
                  kind,
                  name,
                  ChangeType.UPDATE,
                  now.version(),
                  now.contentHash(),
                  hash,
                  details,
                  breaking,
                  def));
        } else {
          unchanged++;
        }
      }
      if (options.prune()) {
        for (Registered<Definition> r : registered.values()) {
          if (repository.get(kind, r.name()).isEmpty()) {
            desired.remove(kind, r.name());
            List<String> breaking =
                kind == ObjectKind.FEATURE_VIEW || kind == ObjectKind.FEATURE_SERVICE
                    ? List.of("removed; jobs and models that read it will fail")
                    : List.of();
            changes.add(
                new Change(
                    kind,
                    r.name(),
                    ChangeType.REMOVE,
                    r.version(),
                    r.contentHash(),
                    null,
                    List.of(),
                    breaking,
                    null));
          }
        }
      }
    }
    Definitions result = desired.build();
    List<String> errors = result.referenceErrors();
    if (!errors.isEmpty()) {
      throw new InvalidDefinitionsException(errors);
    }
    return new Plan(revision, changes, unchanged, result);
  }

  private static void diff(
      ObjectKind kind,
      Definition before,
      Definition after,
      Map<ObjectKind, Map<String, Registered<Definition>>> current,
      List<String> details,
      List<String> breaking) {
    ObjectNode a = DefinitionCodec.toTree(before);
    ObjectNode b = DefinitionCodec.toTree(after);
    Iterator<String> fields = b.fieldNames();
    while (fields.hasNext()) {
      String f = fields.next();
      if (IDENTITY_FIELDS.contains(f) || f.equals("features")) {
        continue;
      }
      if (!b.get(f).equals(a.get(f))) {
        details.add(f + ": " + compact(a.get(f)) + " -> " + compact(b.get(f)));
        if (f.equals("joinKeys")) {
          breaking.add(
              "join keys change from "
                  + compact(a.get(f))
                  + " to "
                  + compact(b.get(f))
                  + ": stored offline and online values are keyed by the old ones");
        }
      }
    }
    if (kind == ObjectKind.FEATURE_VIEW) {
      diffFeatures((FeatureView) before, (FeatureView) after, current, details, breaking);
    }
  }

  private static void diffFeatures(
      FeatureView before,
      FeatureView after,
      Map<ObjectKind, Map<String, Registered<Definition>>> current,
      List<String> details,
      List<String> breaking) {
    Map<String, Feature> old = new LinkedHashMap<>();
    before.features().forEach(f -> old.put(f.name(), f));
    for (Feature f : after.features()) {
      Feature o = old.remove(f.name());
      if (o == null) {
        details.add("feature '" + f.name() + "' added (" + f.type() + ")");
      } else if (!o.equals(f)) {
        if (o.type() != f.type()) {
          details.add("feature '" + f.name() + "': type " + o.type() + " -> " + f.type());
          breaking.add(
              "feature '" + f.name() + "' changes type from " + o.type() + " to " + f.type());
        }
        JsonNode a = featureTree(before, o.name());
        JsonNode b = featureTree(after, f.name());
        Iterator<String> fields = b.fieldNames();
        while (fields.hasNext()) {
          String field = fields.next();
          if (!field.equals("type") && !b.get(field).equals(a.get(field))) {
            details.add(
                "feature '"
                    + f.name()
                    + "': "
                    + field
                    + " "
                    + compact(a.get(field))
                    + " -> "
                    + compact(b.get(field)));
          }
        }
      }
    }
    for (Feature removed : old.values()) {
      details.add("feature '" + removed.name() + "' removed");
      for (Registered<Definition> r :
          current.getOrDefault(ObjectKind.FEATURE_SERVICE, Map.of()).values()) {
        FeatureService s = (FeatureService) r.definition();
        for (Projection p : s.projections()) {
          if (p.view().equals(before.name()) && p.features().contains(removed.name())) {
            breaking.add(
                "feature '"
                    + removed.name()
                    + "' is removed but feature service '"
                    + s.name()
                    + "' (v"
                    + r.version()
                    + ") uses it");
          }
        }
      }
    }
  }

  private static JsonNode featureTree(FeatureView view, String feature) {
    for (JsonNode f : DefinitionCodec.toTree(view).get("features")) {
      if (f.get("name").asText().equals(feature)) {
        return f;
      }
    }
    throw new IllegalStateException(feature);
  }

  private static String compact(JsonNode n) {
    if (n == null || n.isNull()) {
      return "(none)";
    }
    String s = n.isTextual() ? n.asText() : n.toString();
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }
}
