package dev.strata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.JoinKey;
import dev.strata.dsl.ObjectKind;
import dev.strata.online.RedisOnlineStore;
import dev.strata.online.RedisOnlineStore.OnlineRow;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pushes feature values straight into the online store (role {@code write}): {@code
 * {"feature_view": "v", "rows": [{"entity": {...}, "event_timestamp": "...Z", "values": {...}}]}}.
 * As with materialization, a value never replaces one with a newer event time.
 */
@RestController
public class PushController {
  private final RegistryStore registry;
  private final RedisOnlineStore store;
  private final StrataServer.Settings settings;

  public PushController(RegistryStore registry, RedisOnlineStore store, StrataServer.Settings settings) {
    this.registry = registry;
    this.store = store;
    this.settings = settings;
  }

  @PostMapping(path = "/v1/features/push", consumes = MediaType.APPLICATION_JSON_VALUE)
  public ObjectNode push(@RequestBody JsonNode body) {
    if (body == null || !body.path("feature_view").isTextual()) {
      throw new BadRequest("'feature_view' (a string) is required");
    }
    String name = body.get("feature_view").asText();
    Registered<Object> reg = registry.get(ObjectKind.FEATURE_VIEW, name)
        .orElseThrow(() -> new BadRequest("unknown feature view '" + name + "'"));
    FeatureView view = (FeatureView) reg.definition();
    JsonNode rows = body.get("rows");
    if (rows == null || !rows.isArray() || rows.isEmpty()) {
      throw new BadRequest("'rows' must be a non-empty list");
    }
    if (rows.size() > settings.maxRows()) {
      throw new BadRequest("'rows' has " + rows.size() + " rows; at most " + settings.maxRows() + " are allowed");
    }
    List<OnlineRow> out = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      JsonNode row = rows.get(r);
      String at = "rows[" + r + "]";
      List<Object> key = new ArrayList<>();
      for (JoinKey k : view.joinKeys()) {
        JsonNode v = row.path("entity").get(k.name());
        if (v == null) {
          throw new BadRequest(at + ".entity has no '" + k.name() + "' (" + k.type() + ")");
        }
        key.add(switch (k.type()) {
          case STRING -> v.isTextual() ? v.asText() : bad(at + ".entity." + k.name() + " must be a string");
          default -> v.isIntegralNumber() ? v.asLong() : bad(at + ".entity." + k.name() + " must be an integer");
        });
      }
      long micros;
      try {
        Instant t = Instant.parse(row.path("event_timestamp").asText(""));
        micros = t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
      } catch (DateTimeParseException e) {
        throw new BadRequest(at + ".event_timestamp must be an instant like 2001-01-15T00:00:00Z");
      }
      Object[] values = new Object[view.features().size()];
      for (int i = 0; i < values.length; i++) {
        Feature f = view.features().get(i);
        JsonNode v = row.path("values").get(f.name());
        values[i] = v == null || v.isNull() ? null : value(f, v, at + ".values." + f.name());
      }
      out.add(new OnlineRow(key, micros, values));
    }
    long written = store.write(view, reg.version(), out);
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("rows", out.size());
    result.put("written", written);
    result.put("skipped_older", out.size() - written);
    return result;
  }

  private static Object bad(String message) {
    throw new BadRequest(message);
  }

  private static Object value(Feature f, JsonNode v, String at) {
    try {
      return switch (f.type()) {
        case BOOL -> v.isBoolean() ? v.asBoolean() : bad(at + " must be a boolean");
        case INT32 -> v.isIntegralNumber() && v.canConvertToInt() ? v.asInt() : bad(at + " must be a 32-bit integer");
        case INT64 -> v.isIntegralNumber() && v.canConvertToLong() ? v.asLong() : bad(at + " must be an integer");
        case FLOAT32 -> v.isNumber() ? (float) v.asDouble() : bad(at + " must be a number");
        case FLOAT64 -> v.isNumber() ? v.asDouble() : bad(at + " must be a number");
        case STRING -> v.isTextual() ? v.asText() : bad(at + " must be a string");
        case TIMESTAMP -> {
          Instant t = Instant.parse(v.asText());
          yield t.getEpochSecond() * 1_000_000L + t.getNano() / 1000;
        }
        case DATE -> (int) LocalDate.parse(v.asText()).toEpochDay();
      };
    } catch (DateTimeParseException e) {
      throw new BadRequest(at + " must be " + (f.type() == dev.strata.dsl.ValueType.DATE ? "a date like 2001-01-15" : "an instant like 2001-01-15T00:00:00Z"));
    }
  }
}
