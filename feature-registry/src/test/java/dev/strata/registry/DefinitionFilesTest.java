package dev.strata.registry;

import static dev.strata.dsl.Features.INT64;
import static dev.strata.dsl.Features.STRING;
import static dev.strata.dsl.Features.TIMESTAMP;
import static dev.strata.dsl.Features.avg;
import static dev.strata.dsl.Features.col;
import static dev.strata.dsl.Features.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Source;
import dev.strata.errors.InvalidDefinitionException;
import dev.strata.errors.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definitions written by hand in their JSON form (test resources {@code definitions/}: fields left
 * out where they have defaults) get the same content hashes as the same definitions in the Java
 * DSL.
 */
class DefinitionFilesTest {
  static final Path DIR = Path.of("src/test/resources/definitions");

  static Definitions dsl() {
    Entity airport =
        Entity.builder("airport")
            .joinKey("origin", STRING)
            .description("An origin airport")
            .build();
    Source flights =
        Source.builder("flights")
            .parquet("data/f.parquet")
            .rename("date", "departure")
            .eventTimestamp("departure")
            .column("departure", TIMESTAMP)
            .column("origin", STRING)
            .column("delay", INT64)
            .build();
    FeatureView view =
        FeatureView.builder("origin_delays")
            .entity(airport)
            .source(flights)
            .ttl(Duration.ofHours(24))
            .every(Duration.ofHours(1))
            .feature(col("delay").times(lit(2L)).as("delay_x2"))
            .aggregate(
                avg(col("delay"))
                    .over(Duration.ofDays(1))
                    .as("avg_delay_1d")
                    .owner("ops")
                    .tag("tier", "gold"))
            .build();
    FeatureService svc =
        FeatureService.builder("delays").include(view.select("avg_delay_1d")).build();
    return Definitions.builder().addAll(airport, flights, view, svc).build();
  }

  @Test
  void handWrittenJsonHasTheHashesOfTheSameDefinitionsInTheDsl() {
    Definitions fromFiles = DefinitionFiles.read(DIR);
    Definitions fromDsl = dsl();
    for (ObjectKind kind : ObjectKind.values()) {
      assertThat(fromFiles.names(kind)).isEqualTo(fromDsl.names(kind));
      for (String name : fromDsl.names(kind)) {
        Definition a = fromFiles.get(kind, name).orElseThrow();
        Definition b = fromDsl.get(kind, name).orElseThrow();
        assertThat(DefinitionCodec.contentHash(a))
            .as("%s %s: %s", kind, name, DefinitionCodec.toJson(a))
            .isEqualTo(DefinitionCodec.contentHash(b));
      }
    }
    assertThat(fromFiles.referenceErrors()).isEmpty();
  }

  @Test
  void aDocumentAsTheCodecWritesItReadsBackWhole(@TempDir Path tmp) throws Exception {
    Path doc = tmp.resolve("all.json");
    Files.writeString(doc, DefinitionCodec.toJson(dsl()));
    Definitions back = DefinitionFiles.read(doc);
    assertThat(DefinitionCodec.toJson(back)).isEqualTo(DefinitionCodec.toJson(dsl()));
  }

  @Test
  void badFilesAreNamedWithWhatIsWrong(@TempDir Path tmp) throws Exception {
    Path broken = tmp.resolve("broken.json");
    Files.writeString(broken, "{ \"format\": 1,\n  \"kind\": \"entity\" \"name\": \"x\" }");
    assertThatThrownBy(() -> DefinitionFiles.read(broken))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageStartingWith(broken + ": not JSON (line 2)");

    Path future = tmp.resolve("future.json");
    Files.writeString(future, "{\"format\": 2, \"kind\": \"entity\", \"name\": \"x\"}");
    assertThatThrownBy(() -> DefinitionFiles.read(future))
        .hasMessage(
            future + ": definition 1 (entity 'x') has format 2; this Strata reads format 1");

    Path badKey = tmp.resolve("bad-key.json");
    Files.writeString(
        badKey,
        "[{\"format\": 1, \"kind\": \"entity\", \"name\": \"x\","
            + " \"joinKeys\": [{\"name\": \"id\", \"type\": \"UUID\"}]}]");
    assertThatThrownBy(() -> DefinitionFiles.read(badKey))
        .isInstanceOf(InvalidDefinitionException.class)
        .hasMessageStartingWith(badKey + ": definition 1 (entity 'x'): ")
        .hasMessageContaining("UUID");

    assertThatThrownBy(() -> DefinitionFiles.read(tmp.resolve("nothing")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("--definitions " + tmp.resolve("nothing") + ": no such file or directory");
    Path empty = Files.createDirectory(tmp.resolve("empty"));
    assertThatThrownBy(() -> DefinitionFiles.read(empty))
        .hasMessage("--definitions " + empty + ": no *.json file in it");
    assertThat(List.of(broken, future)).allSatisfy(p -> assertThat(p).exists());
  }
}
