package dev.strata.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.errors.InvalidDefinitionException;
import dev.strata.errors.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Definitions read from files in their JSON form ({@code feature-registry/DEFINITIONS.md}), for
 * teams that generate them with other tools: a file holds one definition, an array of them, or a
 * document {@code {"format": 1, "definitions": [...]}} as {@link DefinitionCodec#toJson(
 * Definitions)} writes it; a directory holds such files ({@code *.json}, read in name order).
 *
 * <pre>{@code
 * Definitions defs = DefinitionFiles.read(Path.of("features/"));
 * }</pre>
 */
public final class DefinitionFiles {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DefinitionFiles() {}

  /**
   * @throws InvalidInputException when the path does not exist or holds no definitions file
   * @throws InvalidDefinitionException when a file is not JSON or a definition in it is invalid;
   *     the message names the file and the definition
   */
  public static Definitions read(Path path) {
    List<Path> files = new ArrayList<>();
    if (Files.isDirectory(path)) {
      try (Stream<Path> s = Files.list(path)) {
        s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + path, e);
      }
      if (files.isEmpty()) {
        throw new InvalidInputException("--definitions " + path + ": no *.json file in it");
      }
    } else if (Files.isRegularFile(path)) {
      files.add(path);
    } else {
      throw new InvalidInputException("--definitions " + path + ": no such file or directory");
    }
    Definitions.Builder b = Definitions.builder();
    for (Path f : files) {
      for (Definition d : readFile(f)) {
        b.add(d);
      }
    }
    return b.build();
  }

  private static List<Definition> readFile(Path file) {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new InvalidDefinitionException(
          file
              + ": not JSON (line "
              + e.getLocation().getLineNr()
              + "): "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<JsonNode> nodes = new ArrayList<>();
    if (root != null && root.isArray()) {
      root.forEach(nodes::add);
    } else if (root != null && root.has("definitions")) {
      checkFormat(file, root, "the document");
      root.get("definitions").forEach(nodes::add);
    } else if (root != null && root.isObject()) {
      nodes.add(root);
    } else {
      throw new InvalidDefinitionException(
          file + ": expected a definition, an array of them or {\"definitions\": [...]}");
    }
    List<Definition> out = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      JsonNode n = nodes.get(i);
      String which =
          "definition "
              + (i + 1)
              + " ("
              + n.path("kind").asText("?")
              + " '"
              + n.path("name").asText("?")
              + "')";
      checkFormat(file, n, which);
      try {
        out.add(DefinitionCodec.fromJson(n.toString()));
      } catch (RuntimeException e) {
        throw new InvalidDefinitionException(
            file + ": " + which + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()),
            e);
      }
    }
    return out;
  }

  private static void checkFormat(Path file, JsonNode n, String which) {
    if (n.path("format").asInt(-1) != DefinitionCodec.FORMAT) {
      throw new InvalidDefinitionException(
          file
              + ": "
              + which
              + " has format "
              + n.path("format").asText("(none)")
              + "; this Strata reads format "
              + DefinitionCodec.FORMAT);
    }
  }
}
