package dev.strata.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.AggregationFunction;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.Expectation;
import dev.strata.dsl.Expr;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.Metadata;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Projection;
import dev.strata.dsl.Source;
import dev.strata.dsl.SourceFormat;
import dev.strata.dsl.ValueType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of definitions, as the registry stores them (documented in {@code
 * feature-registry/DEFINITIONS.md}). Output is canonical: fields in a fixed order, tags sorted, so
 * that equal definitions have equal text and equal {@link #contentHash content hashes}.
 *
 * <p>Spark jobs and the REST server load definitions through this codec, never through the user's
 * classes.
 */
public final class DefinitionCodec {
  /** Version of the JSON form; part of every document and of its hash. */
  public static final int FORMAT = 1;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DefinitionCodec() {}

  public static String toJson(Definition definition) {
    try {
      return MAPPER.writeValueAsString(toTree(definition));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** SHA-256 of the canonical JSON, hex: the identity of a definition's version. */
  public static String contentHash(Definition definition) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(toJson(definition).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static ObjectNode toTree(Definition definition) {
    return switch (definition.kind()) {
      case ENTITY -> entity((Entity) definition);
      case SOURCE -> source((Source) definition);
      case FEATURE_VIEW -> view((FeatureView) definition);
      case FEATURE_SERVICE -> service((FeatureService) definition);
    };
  }

  /** Reads a stored definition back into its DSL object. */
  public static Definition fromJson(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      ObjectKind kind = ObjectKind.parse(node.path("kind").asText());
      switch (kind) {
        case ENTITY:
          return readEntity(node);
        case SOURCE:
          return readSource(node);
        case FEATURE_VIEW:
          return readView(node);
        default:
          return readService(node);
      }
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Not a stored definition: " + e.getOriginalMessage(), e);
    }
  }

  public static <T extends Definition> T fromJson(String json, Class<T> type) {
    return type.cast(fromJson(json));
  }

  /** All definitions as one JSON document (arrays per kind), e.g. for export. */
  public static String toJson(Definitions defs) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    ArrayNode all = root.putArray("definitions");
    defs.entities().forEach(d -> all.add(toTree(d)));
    defs.sources().forEach(d -> all.add(toTree(d)));
    defs.featureViews().forEach(d -> all.add(toTree(d)));
    defs.featureServices().forEach(d -> all.add(toTree(d)));
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- writing

  private static ObjectNode header(String kind, String name) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("format", FORMAT);
    n.put("kind", kind);
    n.put("name", name);
    return n;
  }

  private static void metadata(ObjectNode n, Metadata m) {
    n.put("description", m.description());
    n.put("owner", m.owner());
    ObjectNode tags = n.putObject("tags");
    m.tags().forEach(tags::put);
  }

  private static ArrayNode keys(List<JoinKey> keys) {
    ArrayNode a = MAPPER.createArrayNode();
    for (JoinKey k : keys) {
      a.addObject().put("name", k.name()).put("type", k.type().name());
    }
    return a;
  }

  private static ObjectNode entity(Entity e) {
    ObjectNode n = header("entity", e.name());
    n.set("joinKeys", keys(e.joinKeys()));
    metadata(n, e.metadata());
    return n;
  }

  private static ObjectNode source(Source s) {
    ObjectNode n = header("source", s.name());
    n.put("tableFormat", s.format().name().toLowerCase(Locale.ROOT));
    n.put("location", s.location());
    n.put("eventTimestamp", s.eventTimestamp());
    n.put("createdTimestamp", s.createdTimestamp().orElse(null));
    ArrayNode cols = n.putArray("columns");
    s.columns().forEach((c, t) -> cols.addObject().put("name", c).put("type", t.name()));
    ObjectNode mapping = n.putObject("columnMapping");
    new TreeMap<>(s.columnMapping()).forEach(mapping::put);
    metadata(n, s.metadata());
    return n;
  }

  private static ObjectNode view(FeatureView v) {
    ObjectNode n = header("feature_view", v.name());
    ArrayNode ents = n.putArray("entities");
    v.entities().forEach(ents::add);
    n.set("joinKeys", keys(v.joinKeys()));
    n.put("source", v.source());
    n.put("ttl", v.ttl().toString());
    n.put("cadence", v.cadence().toString());
    n.put("online", v.online());
    ArrayNode feats = n.putArray("features");
    for (Feature f : v.features()) {
      ObjectNode fn = feats.addObject();
      fn.put("name", f.name());
      fn.put("kind", f.kind().name().toLowerCase(Locale.ROOT));
      fn.put("type", f.type().name());
      f.function().ifPresent(fun -> fn.put("function", fun.name().toLowerCase(Locale.ROOT)));
      f.window().ifPresent(w -> fn.put("window", w.toString()));
      f.expr().ifPresent(e -> fn.set("expr", expr(e)));
      fn.put("pii", f.isPii());
      metadata(fn, f.metadata());
    }
    if (!v.expectations().isEmpty()) {
      // only when there are some, so that views without keep their content hash
      ArrayNode ex = n.putArray("expectations");
      v.expectations().forEach(e -> ex.add(expectation(e)));
    }
    metadata(n, v.metadata());
    return n;
  }

  private static ObjectNode expectation(Expectation e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("severity", e.severity().name().toLowerCase(Locale.ROOT));
    if (e instanceof Expectation.NotNull x) {
      n.put("kind", "not_null").put("column", x.column());
    } else if (e instanceof Expectation.Between x) {
      n.put("kind", "between").put("min", x.min()).put("max", x.max());
      n.set("expr", expr(x.expr()));
    } else if (e instanceof Expectation.RowCount x) {
      n.put("kind", "row_count").put("atLeast", x.atLeast()).put("atMost", x.atMost());
    } else if (e instanceof Expectation.Freshness x) {
      n.put("kind", "freshness").put("maxAge", x.maxAge().toString());
    }
    return n;
  }

  private static Expectation readExpectation(JsonNode n) {
    Expectation.Severity severity =
        Expectation.Severity.valueOf(text(n, "severity").toUpperCase(Locale.ROOT));
    return switch (text(n, "kind")) {
      case "not_null" -> new Expectation.NotNull(text(n, "column"), severity);
      case "between" ->
          new Expectation.Between(
              readExpr(n.get("expr")),
              n.path("min").asDouble(),
              n.path("max").asDouble(),
              severity);
      case "row_count" ->
          new Expectation.RowCount(
              n.path("atLeast").asLong(), n.path("atMost").asLong(Long.MAX_VALUE), severity);
      case "freshness" -> new Expectation.Freshness(Duration.parse(text(n, "maxAge")), severity);
      default ->
          throw new IllegalArgumentException("unknown expectation kind '" + text(n, "kind") + "'");
    };
  }

  private static ObjectNode service(FeatureService s) {
    ObjectNode n = header("feature_service", s.name());
    ArrayNode ps = n.putArray("projections");
    for (Projection p : s.projections()) {
      ObjectNode pn = ps.addObject();
      pn.put("view", p.view());
      ArrayNode fs = pn.putArray("features");
      p.features().forEach(fs::add);
    }
    metadata(n, s.metadata());
    return n;
  }

  static ObjectNode expr(Expr e) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("op", e.op().name().toLowerCase(Locale.ROOT));
    if (e instanceof Expr.Column c) {
      n.put("name", c.name());
    }
    if (e instanceof Expr.Cast c) {
      n.put("type", c.target().name());
    }
    if (e instanceof Expr.Literal l) {
      n.put("type", l.type().name());
      Object v = l.value();
      if (v == null) {
        n.putNull("value");
      } else if (v instanceof Long) {
        n.put("value", (Long) v);
      } else if (v instanceof Double) {
        n.put("value", (Double) v);
      } else if (v instanceof Boolean) {
        n.put("value", (Boolean) v);
      } else {
        n.put("value", v.toString());
      }
    }
    if (!e.args().isEmpty()) {
      ArrayNode args = n.putArray("args");
      e.args().forEach(a -> args.add(expr(a)));
    }
    return n;
  }

  // ---- reading

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(
          "stored "
              + n.path("kind").asText("definition")
              + " '"
              + n.path("name").asText()
              + "' lacks '"
              + field
              + "'");
    }
    return v.asText();
  }

  private static Metadata readMetadata(JsonNode n) {
    Map<String, String> tags = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = n.path("tags").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      tags.put(e.getKey(), e.getValue().asText());
    }
    return new Metadata(n.path("description").asText(""), n.path("owner").asText(""), tags);
  }

  private static List<JoinKey> readKeys(JsonNode a) {
    List<JoinKey> keys = new ArrayList<>();
    for (JsonNode k : a) {
      keys.add(new JoinKey(text(k, "name"), ValueType.valueOf(text(k, "type"))));
    }
    return keys;
  }

  private static Entity readEntity(JsonNode n) {
    Entity.Builder b = Entity.builder(text(n, "name"));
    for (JoinKey k : readKeys(n.path("joinKeys"))) {
      b.joinKey(k.name(), k.type());
    }
    Metadata m = readMetadata(n);
    b.description(m.description()).owner(m.owner());
    m.tags().forEach(b::tag);
    return b.build();
  }

  private static Source readSource(JsonNode n) {
    Source.Builder b = Source.builder(text(n, "name"));
    b.at(
        SourceFormat.valueOf(text(n, "tableFormat").toUpperCase(Locale.ROOT)), text(n, "location"));
    b.eventTimestamp(text(n, "eventTimestamp"));
    if (n.hasNonNull("createdTimestamp")) {
      b.createdTimestamp(n.get("createdTimestamp").asText());
    }
    for (JsonNode c : n.path("columns")) {
      b.column(text(c, "name"), ValueType.valueOf(text(c, "type")));
    }
    Iterator<Map.Entry<String, JsonNode>> it = n.path("columnMapping").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      b.rename(e.getKey(), e.getValue().asText());
    }
    Metadata m = readMetadata(n);
    b.description(m.description()).owner(m.owner());
    m.tags().forEach(b::tag);
    return b.build();
  }

  private static FeatureView readView(JsonNode n) {
    List<String> entities = new ArrayList<>();
    n.path("entities").forEach(e -> entities.add(e.asText()));
    List<Feature> features = new ArrayList<>();
    for (JsonNode f : n.path("features")) {
      Feature.Kind kind = Feature.Kind.valueOf(text(f, "kind").toUpperCase(Locale.ROOT));
      features.add(
          Feature.restore(
              text(f, "name"),
              kind,
              f.hasNonNull("expr") ? readExpr(f.get("expr")) : null,
              f.hasNonNull("function")
                  ? AggregationFunction.valueOf(f.get("function").asText().toUpperCase(Locale.ROOT))
                  : null,
              f.hasNonNull("window") ? Duration.parse(f.get("window").asText()) : null,
              ValueType.valueOf(text(f, "type")),
              readMetadata(f),
              f.path("pii").asBoolean(false)));
    }
    List<Expectation> expectations = new ArrayList<>();
    n.path("expectations").forEach(e -> expectations.add(readExpectation(e)));
    return FeatureView.restore(
        text(n, "name"),
        entities,
        readKeys(n.path("joinKeys")),
        text(n, "source"),
        Duration.parse(text(n, "ttl")),
        Duration.parse(text(n, "cadence")),
        features,
        n.path("online").asBoolean(true),
        readMetadata(n),
        expectations);
  }

  private static FeatureService readService(JsonNode n) {
    List<Projection> ps = new ArrayList<>();
    for (JsonNode p : n.path("projections")) {
      List<String> fs = new ArrayList<>();
      p.path("features").forEach(f -> fs.add(f.asText()));
      ps.add(new Projection(text(p, "view"), fs));
    }
    return FeatureService.restore(text(n, "name"), ps, readMetadata(n));
  }

  static Expr readExpr(JsonNode n) {
    Expr.Op op = Expr.Op.valueOf(n.path("op").asText().toUpperCase(Locale.ROOT));
    ValueType type = n.hasNonNull("type") ? ValueType.valueOf(n.get("type").asText()) : null;
    Object literal = null;
    if (op == Expr.Op.LIT && n.hasNonNull("value")) {
      JsonNode v = n.get("value");
      switch (type) {
        case BOOL:
          literal = v.asBoolean();
          break;
        case INT32:
        case INT64:
          literal = v.asLong();
          break;
        case FLOAT32:
        case FLOAT64:
          literal = v.asDouble();
          break;
        default:
          literal = v.asText();
      }
    }
    List<Expr> args = new ArrayList<>();
    n.path("args").forEach(a -> args.add(readExpr(a)));
    return Expr.restore(
        op, n.hasNonNull("name") ? n.get("name").asText() : null, literal, type, args);
  }
}
