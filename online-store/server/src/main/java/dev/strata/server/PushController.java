package dev.strata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.registry.Registered;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.Principal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pushes feature values straight into the online store (role {@code write}): {@code
 * {"feature_view": "v", "rows": [{"entity": {...}, "event_timestamp": "...Z", "values": {...}}]}}.
 * As with materialization, a value never replaces one with a newer event time.
 *
 * <p>A push replaces a view's whole row for a key, so each row must give every join key and every
 * feature of the view (a feature without a value is given as {@code null}); a missing or unknown
 * name is a 400 and nothing of the request is written. Event times must lie within the years
 * 1..9999 and at most {@code strata.max-future-skew} past the server's clock: a far-future time
 * would otherwise win over every later materialization. Each push is audited: a log line on {@code
 * strata.audit} and the {@code strata.push.rows} counter, with the key's id and the view.
 */
@RestController
public class PushController {
  private static final Logger AUDIT = LoggerFactory.getLogger("strata.audit");

  private final FeatureResolver resolver;
  private final RedisOnlineStore store;
  private final StrataServer.Settings settings;
  private final MeterRegistry meters;

  public PushController(
      FeatureResolver resolver,
      RedisOnlineStore store,
      StrataServer.Settings settings,
      MeterRegistry meters) {
    this.resolver = resolver;
    this.store = store;
    this.settings = settings;
    this.meters = meters;
  }

  @PostMapping(path = "/v1/features/push", consumes = MediaType.APPLICATION_JSON_VALUE)
  public ObjectNode push(@RequestBody JsonNode body, Principal principal) {
    if (body == null || !body.path("feature_view").isTextual()) {
      throw new BadRequest("'feature_view' (a string) is required");
    }
    Registered<FeatureView> reg = resolver.view(body.get("feature_view").asText());
    FeatureView view = reg.definition();
    JsonNode rows = body.get("rows");
    if (rows == null || !rows.isArray() || rows.isEmpty()) {
      throw new BadRequest("'rows' must be a non-empty list");
    }
    if (rows.size() > settings.maxRows()) {
      throw new BadRequest(
          "'rows' has " + rows.size() + " rows; at most " + settings.maxRows() + " are allowed");
    }
    Instant latest = Instant.now().plus(settings.maxFutureSkew());
    List<OnlineRow> out = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      JsonNode row = rows.get(r);
      String at = "rows[" + r + "]";
      if (!row.isObject()) {
        throw new BadRequest(
            at + " must be an object with 'entity', 'event_timestamp' and 'values'");
      }
      JsonNode entity = row.path("entity");
      onlyKnown(entity, at + ".entity", view.joinKeys().stream().map(JoinKey::name).toList());
      List<Object> key = new ArrayList<>();
      for (JoinKey k : view.joinKeys()) {
        JsonNode v = entity.get(k.name());
        if (v == null) {
          throw new BadRequest(at + ".entity has no '" + k.name() + "' (" + k.type() + ")");
        }
        key.add(
            switch (k.type()) {
              case STRING ->
                  v.isTextual()
                      ? v.asText()
                      : bad(at + ".entity." + k.name() + " must be a string");
              default ->
                  v.isIntegralNumber() && v.canConvertToLong()
                      ? v.asLong()
                      : bad(at + ".entity." + k.name() + " must be an integer");
            });
      }
      if (!row.path("event_timestamp").isTextual()) {
        throw new BadRequest(at + ".event_timestamp must be an instant like 2001-01-15T00:00:00Z");
      }
      Instant t = Instants.parse(at + ".event_timestamp", row.get("event_timestamp").asText());
      if (t.isAfter(latest)) {
        throw new BadRequest(
            at
                + ".event_timestamp "
                + t
                + " lies more than "
                + settings.maxFutureSkew()
                + " past the server's clock; event times in the future are refused");
      }
      JsonNode given = row.path("values");
      onlyKnown(given, at + ".values", view.features().stream().map(Feature::name).toList());
      Object[] values = new Object[view.features().size()];
      for (int i = 0; i < values.length; i++) {
        Feature f = view.features().get(i);
        JsonNode v = given.get(f.name());
        if (v == null) {
          throw new BadRequest(
              at
                  + ".values has no '"
                  + f.name()
                  + "': a push replaces the view's whole row,"
                  + " so give every feature (null for no value)");
        }
        values[i] = v.isNull() ? null : value(f, v, at + ".values." + f.name());
      }
      out.add(new OnlineRow(key, Instants.micros(t), values));
    }
    long written = store.write(view, reg.version(), out);
    String keyId = principal == null ? "none" : principal.getName();
    AUDIT.info(
        "push key={} view={} version={} rows={} written={}",
        keyId,
        view.name(),
        reg.version(),
        out.size(),
        written);
    meters.counter("strata.push.rows", "view", view.name(), "key", keyId).increment(out.size());
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("rows", out.size());
    result.put("written", written);
    result.put("skipped_older", out.size() - written);
    return result;
  }

  /** Refuses names outside {@code known} in an object of the request. */
  private static void onlyKnown(JsonNode object, String at, List<String> known) {
    if (!object.isObject()) {
      throw new BadRequest(at + " must be an object");
    }
    for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        throw new BadRequest(
            at
                + "."
                + FeatureResolver.shown(name)
                + " is not part of the feature view (it has: "
                + String.join(", ", known)
                + ")");
      }
    }
  }

  private static Object bad(String message) {
    throw new BadRequest(message);
  }

  private static Object value(Feature f, JsonNode v, String at) {
    return switch (f.type()) {
      case BOOL -> v.isBoolean() ? v.asBoolean() : bad(at + " must be a boolean");
      case INT32 ->
          v.isIntegralNumber() && v.canConvertToInt()
              ? v.asInt()
              : bad(at + " must be a 32-bit integer");
      case INT64 ->
          v.isIntegralNumber() && v.canConvertToLong()
              ? v.asLong()
              : bad(at + " must be an integer");
      case FLOAT32 ->
          v.isNumber() && Float.isFinite((float) v.asDouble())
              ? (float) v.asDouble()
              : bad(at + " must be a number within 32-bit float range");
      case FLOAT64 ->
          v.isNumber() && Double.isFinite(v.asDouble())
              ? v.asDouble()
              : bad(at + " must be a number");
      case STRING -> v.isTextual() ? v.asText() : bad(at + " must be a string");
      case TIMESTAMP ->
          v.isTextual()
              ? Instants.micros(Instants.parse(at, v.asText()))
              : bad(at + " must be an instant string");
      case DATE -> {
        try {
          LocalDate d = LocalDate.parse(v.asText());
          yield d.getYear() >= 1 && d.getYear() <= 9999
              ? (int) d.toEpochDay()
              : bad(at + " must lie in the years 1 to 9999");
        } catch (DateTimeParseException e) {
          yield bad(at + " must be a date like 2001-01-15");
        }
      }
    };
  }
}
