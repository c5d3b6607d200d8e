package dev.strata.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.Definition;
import dev.strata.dsl.ObjectKind;
import dev.strata.errors.NotFoundException;
import dev.strata.registry.DefinitionCodec;
import dev.strata.registry.LineageEdge;
import dev.strata.registry.LineageGraph;
import dev.strata.registry.LineageNode;
import dev.strata.registry.Registered;
import dev.strata.registry.RegistryStore;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Read-only views of the registry: objects, their versions, and lineage. */
@RestController
public class RegistryController {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final RegistryStore registry;

  public RegistryController(RegistryStore registry) {
    this.registry = registry;
  }

  static ObjectKind kind(String text) {
    try {
      return ObjectKind.parse(text);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
  }

  private static ObjectNode summary(Registered<Definition> r) {
    ObjectNode n = JSON.objectNode();
    n.put("kind", r.kind().name().toLowerCase());
    n.put("name", r.name());
    n.put("version", r.version());
    n.put("content_hash", r.contentHash());
    n.put("revision", r.revision());
    n.put("created_at", r.createdAt().toString());
    return n;
  }

  @GetMapping("/v1/registry/{kind}")
  public ArrayNode list(@PathVariable String kind) {
    ArrayNode out = JSON.arrayNode();
    registry.list(kind(kind)).forEach(r -> out.add(summary(r)));
    return out;
  }

  @GetMapping("/v1/registry/{kind}/{name}")
  public ObjectNode get(
      @PathVariable String kind,
      @PathVariable String name,
      @RequestParam(required = false) Integer version) {
    ObjectKind k = kind(kind);
    List<Registered<Definition>> history = registry.history(k, name);
    if (history.isEmpty()) {
      throw new NotFoundException("no " + k.label() + " named '" + name + "'");
    }
    Registered<Definition> r =
        version == null
            ? registry.get(k, name).orElse(history.get(history.size() - 1))
            : registry
                .get(k, name, version)
                .orElseThrow(
                    () ->
                        new NotFoundException(
                            k.label() + " '" + name + "' has no version " + version));
    ObjectNode out = summary(r);
    out.set("definition", DefinitionCodec.toTree(r.definition()));
    ArrayNode versions = out.putArray("versions");
    history.forEach(h -> versions.add(summary(h)));
    return out;
  }

  @GetMapping("/v1/lineage")
  public ObjectNode lineage(
      @RequestParam String node, @RequestParam(defaultValue = "upstream") String direction) {
    if (!direction.equals("upstream") && !direction.equals("downstream")) {
      throw new BadRequest("direction must be upstream or downstream, got '" + direction + "'");
    }
    LineageNode root =
        registry
            .findLineageNode(node)
            .orElseThrow(() -> new NotFoundException("no lineage node '" + node + "'"));
    LineageGraph g =
        direction.equals("upstream")
            ? registry.upstream(root.id().toString())
            : registry.downstream(root.id().toString());
    ObjectNode out = JSON.objectNode();
    out.put("root", root.id().toString());
    out.put("direction", direction);
    ArrayNode nodes = out.putArray("nodes");
    g.nodes().values().stream()
        .sorted((a, b) -> a.id().toString().compareTo(b.id().toString()))
        .forEach(
            n -> {
              ObjectNode o = nodes.addObject();
              o.put("id", n.id().toString());
              o.put("kind", n.kind());
              o.put("name", n.name());
              o.put("version", n.version());
              o.set("properties", JSON.pojoNode(n.properties()));
            });
    ArrayNode edges = out.putArray("edges");
    for (LineageEdge e : g.edges()) {
      edges.addObject().put("from", e.from().toString()).put("to", e.to().toString());
    }
    return out;
  }
}
