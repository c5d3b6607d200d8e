package dev.strata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Feature;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.ValueType;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineValue;
import dev.strata.online.RedisOnlineStore.ReadRequest;
import dev.strata.server.FeatureResolver.ViewRead;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Online feature vectors. Both endpoints take the same request: a {@code feature_service} or a list
 * of {@code features} ({@code view:feature}), and {@code entities}: join-key column name to a list
 * of values, one per entity row; optionally {@code as_of}, the instant that decides which values
 * count as expired (default: now), for replays of historical data. {@code /v1/features/online}
 * answers row by row; {@code /get-online-features} answers in Feast's column-by-column shape.
 */
@RestController
public class OnlineController {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final FeatureResolver resolver;
  private final RedisOnlineStore store;
  private final StrataServer.Settings settings;
  private final ServerMetrics metrics;
  private final FeatureLog log;

  /** A client's own request id: logged as given, so it can join the log with its labels. */
  static final String REQUEST_ID = "X-Request-Id";

  private static final java.util.regex.Pattern CLIENT_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  public OnlineController(
      FeatureResolver resolver,
      RedisOnlineStore store,
      StrataServer.Settings settings,
      ServerMetrics metrics,
      FeatureLog log) {
    this.resolver = resolver;
    this.store = store;
    this.settings = settings;
    this.metrics = metrics;
    this.log = log;
  }

  /** A parsed, checked request and its answer. */
  record Lookup(
      String service,
      List<ViewRead> views,
      Map<String, JsonNode> entities,
      int rows,
      Instant asOf,
      List<List<OnlineValue>> values) {}

  @PostMapping(
      path = "/v1/features/online",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ObjectNode online(
      @RequestBody JsonNode body,
      @RequestHeader(name = REQUEST_ID, required = false) String requestId,
      HttpServletResponse response) {
    Lookup l = lookup(body);
    logged(l, requestId, response);
    ObjectNode out = JSON.objectNode();
    ArrayNode names = out.putArray("features");
    for (ViewRead v : l.views()) {
      v.names().forEach(n -> names.add(v.view().name() + ":" + n));
    }
    ArrayNode rows = out.putArray("rows");
    for (int r = 0; r < l.rows(); r++) {
      ObjectNode row = rows.addObject();
      ObjectNode entity = row.putObject("entity");
      for (Map.Entry<String, JsonNode> e : l.entities().entrySet()) {
        entity.set(e.getKey(), e.getValue().get(r));
      }
      ArrayNode values = row.putArray("values");
      ArrayNode statuses = row.putArray("statuses");
      ArrayNode times = row.putArray("event_timestamps");
      for (int v = 0; v < l.views().size(); v++) {
        ViewRead read = l.views().get(v);
        OnlineValue value = l.values().get(v).get(r);
        // one view's features share the row's event time: formatted once
        JsonNode time =
            value.eventMicros() == null
                ? JSON.nullNode()
                : JSON.textNode(instant(value.eventMicros()));
        for (int p : read.positions()) {
          values.add(json(read.view().features().get(p), value.values()[p]));
          statuses.add(value.status().name());
          times.add(time);
        }
      }
    }
    return out;
  }

  /**
   * Feast's {@code /get-online-features}: metadata.feature_names, then results column by column.
   */
  @PostMapping(
      path = "/get-online-features",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ObjectNode feast(
      @RequestBody JsonNode body,
      @RequestHeader(name = REQUEST_ID, required = false) String requestId,
      HttpServletResponse response) {
    Lookup l = lookup(body);
    logged(l, requestId, response);
    boolean full = body.path("full_feature_names").asBoolean(false);
    ObjectNode out = JSON.objectNode();
    ArrayNode names = out.putObject("metadata").putArray("feature_names");
    ArrayNode results = out.putArray("results");
    for (Map.Entry<String, JsonNode> e : l.entities().entrySet()) {
      names.add(e.getKey());
      ObjectNode col = results.addObject();
      ArrayNode values = col.putArray("values");
      ArrayNode statuses = col.putArray("statuses");
      ArrayNode times = col.putArray("event_timestamps");
      for (int r = 0; r < l.rows(); r++) {
        values.add(e.getValue().get(r));
        statuses.add("PRESENT");
        times.add("1970-01-01T00:00:00Z");
      }
    }
    for (int v = 0; v < l.views().size(); v++) {
      ViewRead read = l.views().get(v);
      JsonNode[] rowTimes = new JsonNode[l.rows()];
      for (int r = 0; r < l.rows(); r++) {
        Long micros = l.values().get(v).get(r).eventMicros();
        rowTimes[r] = JSON.textNode(micros == null ? "1970-01-01T00:00:00Z" : instant(micros));
      }
      for (int i = 0; i < read.positions().size(); i++) {
        int p = read.positions().get(i);
        names.add(full ? read.view().name() + "__" + read.names().get(i) : read.names().get(i));
        ObjectNode col = results.addObject();
        ArrayNode values = col.putArray("values");
        ArrayNode statuses = col.putArray("statuses");
        ArrayNode times = col.putArray("event_timestamps");
        for (int r = 0; r < l.rows(); r++) {
          OnlineValue value = l.values().get(v).get(r);
          values.add(json(read.view().features().get(p), value.values()[p]));
          statuses.add(
              switch (value.status()) {
                case PRESENT -> "PRESENT";
                case NOT_FOUND -> "NOT_FOUND";
                case EXPIRED -> "OUTSIDE_MAX_AGE";
              });
          times.add(rowTimes[r]);
        }
      }
    }
    return out;
  }

  /**
   * Hands a sampled request to the served-feature log and names its id in the answer's {@value
   * #REQUEST_ID} header: the client's own id when it sent a well-formed one, else a new one.
   */
  private void logged(Lookup l, String clientId, HttpServletResponse response) {
    if (!log.sampled()) {
      return;
    }
    String id =
        clientId != null && CLIENT_ID.matcher(clientId).matches()
            ? clientId
            : FeatureLog.newRequestId();
    response.setHeader(REQUEST_ID, id);
    Instant now = Instant.now();
    log.offer(
        new FeatureLog.Entry(
            id,
            Instants.micros(now),
            Instants.micros(l.asOf()),
            l.service(),
            l.entities(),
            l.views(),
            l.values()));
  }

  private Lookup lookup(JsonNode body) {
    // the deadline counts from here: JSON parsing is bounded by the body limit, Redis is not
    long deadlineNanos = System.nanoTime() + settings.requestDeadline().toNanos();
    int present = 0;
    int notFound = 0;
    int expired = 0;
    if (body == null || !body.isObject()) {
      throw new BadRequest("the request body must be a JSON object");
    }
    JsonNode service = body.get("feature_service");
    JsonNode features = body.get("features");
    List<ViewRead> views;
    if (service != null && features != null) {
      throw new BadRequest("give either 'feature_service' or 'features', not both");
    } else if (service != null) {
      if (!service.isTextual()) {
        throw new BadRequest("'feature_service' must be a string");
      }
      views = resolver.service(service.asText());
    } else if (features != null) {
      if (!features.isArray() || features.isEmpty()) {
        throw new BadRequest("'features' must be a non-empty list of \"view:feature\" strings");
      }
      List<String> refs = new ArrayList<>();
      for (JsonNode f : features) {
        if (!f.isTextual()) {
          throw new BadRequest("'features' must be a non-empty list of \"view:feature\" strings");
        }
        refs.add(f.asText());
      }
      views = resolver.references(refs);
    } else {
      throw new BadRequest("the request names no features: give 'feature_service' or 'features'");
    }

    JsonNode entities = body.get("entities");
    if (entities == null || !entities.isObject() || entities.isEmpty()) {
      throw new BadRequest(
          "'entities' must be an object of join-key columns, e.g. {\"origin\": [\"ATL\"]}");
    }
    Map<String, JsonNode> columns = new LinkedHashMap<>();
    int rows = -1;
    for (Iterator<Map.Entry<String, JsonNode>> it = entities.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isArray()) {
        throw new BadRequest("entities." + e.getKey() + " must be a list of values");
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        throw new BadRequest(
            "entity columns differ in length: entities."
                + e.getKey()
                + " has "
                + e.getValue().size()
                + " values, the others "
                + rows);
      }
      rows = e.getValue().size();
      columns.put(e.getKey(), e.getValue());
    }
    if (rows == 0) {
      throw new BadRequest("the request has no entity rows");
    }
    if (rows > settings.maxRows()) {
      throw new BadRequest(
          "the request has "
              + rows
              + " entity rows; at most "
              + settings.maxRows()
              + " are allowed");
    }

    List<ReadRequest> reads = new ArrayList<>();
    for (ViewRead v : views) {
      List<List<Object>> keys = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        List<Object> key = new ArrayList<>();
        for (JoinKey k : v.view().joinKeys()) {
          JsonNode col = columns.get(k.name());
          if (col == null) {
            throw new BadRequest(
                "missing entity column '"
                    + k.name()
                    + "' ("
                    + k.type()
                    + "), the join key of feature view '"
                    + v.view().name()
                    + "'");
          }
          key.add(keyValue(k, col.get(r), r));
        }
        keys.add(key);
      }
      reads.add(new ReadRequest(v.view(), v.version(), keys));
    }
    Set<String> joinKeys = new LinkedHashSet<>();
    for (ViewRead v : views) {
      v.view().joinKeys().forEach(k -> joinKeys.add(k.name()));
    }
    for (String column : columns.keySet()) {
      if (!joinKeys.contains(column)) {
        throw new BadRequest(
            "entities."
                + FeatureResolver.shown(column)
                + " is not a join key of the requested features"
                + " (their join keys: "
                + String.join(", ", joinKeys)
                + ")");
      }
    }
    JsonNode at = body.get("as_of");
    Instant asOf = at == null || at.isNull() ? Instant.now() : Instants.parse("as_of", at.asText());
    long started = System.nanoTime();
    List<List<OnlineValue>> values = store.read(reads, asOf, deadlineNanos);
    metrics.redisReads.record(
        System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    for (List<OnlineValue> view : values) {
      for (OnlineValue v : view) {
        switch (v.status()) {
          case PRESENT -> present++;
          case NOT_FOUND -> notFound++;
          case EXPIRED -> expired++;
        }
      }
    }
    metrics.present.increment(present);
    metrics.notFound.increment(notFound);
    metrics.expired.increment(expired);
    return new Lookup(
        service == null ? null : service.asText(), views, columns, rows, asOf, values);
  }

  private static Object keyValue(JoinKey k, JsonNode v, int row) {
    if (k.type() == ValueType.STRING) {
      if (!v.isTextual()) {
        throw new BadRequest(
            "entities." + k.name() + "[" + row + "] must be a string (" + k.type() + "), got " + v);
      }
      return v.asText();
    }
    if (!v.isIntegralNumber()
        || !v.canConvertToLong()
        || (k.type() == ValueType.INT32 && !v.canConvertToInt())) {
      throw new BadRequest(
          "entities." + k.name() + "[" + row + "] must be an integer (" + k.type() + "), got " + v);
    }
    return v.asLong();
  }

  static JsonNode json(Feature f, Object v) {
    if (v == null) {
      return JSON.nullNode();
    }
    return switch (f.type()) {
      case BOOL -> JSON.booleanNode((Boolean) v);
      case INT32 -> JSON.numberNode((Integer) v);
      case INT64 -> JSON.numberNode((Long) v);
      case FLOAT32 -> Float.isFinite((Float) v) ? JSON.numberNode((Float) v) : JSON.nullNode();
      case FLOAT64 -> Double.isFinite((Double) v) ? JSON.numberNode((Double) v) : JSON.nullNode();
      case STRING -> JSON.textNode((String) v);
      case TIMESTAMP -> JSON.textNode(instant((Long) v));
      case DATE -> JSON.textNode(LocalDate.ofEpochDay((Integer) v).toString());
    };
  }

  static String instant(long micros) {
    return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000)
        .toString();
  }
}
