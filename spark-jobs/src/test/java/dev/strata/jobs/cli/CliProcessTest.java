package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.jobs.cli.CliProcess.Finished;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each verb through its own JVM, as a user's terminal runs it: what it prints reaches stdout before
 * the process exits, and every error is one line on stderr with the README's exit code.
 */
class CliProcessTest {
  @TempDir Path dir;
  int runs;

  Finished strata(String... args) throws Exception {
    return CliProcess.run(dir.resolve("run-" + runs++), args);
  }

  @Test
  void everyVerbPrintsItsOutputAndEveryErrorIsOneLineWithItsExitCode() throws Exception {
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    Finished plan = strata("plan", "-r", "flights", "--registry", registry);
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("+ feature view origin_delays (new, v1)").contains("6 to add");
    assertThat(strata("apply", "-r", "flights", "--registry", registry).out())
        .contains("registry at revision 1");
    Finished ls = strata("ls", "--registry", registry);
    assertThat(ls.out().lines()).hasSize(7).first().asString().startsWith("KIND");
    assertThat(strata("ls", "feature-views", "--registry", registry).out())
        .contains("origin_delays")
        .contains("route_stats");
    Finished lineage = strata("lineage", "source:flights", "--downstream", "--registry", registry);
    assertThat(lineage.code()).as(lineage.err()).isZero();
    assertThat(lineage.out()).contains("origin_delays");
    assertThat(strata("describe", "feature-view", "origin_delays", "--registry", registry).out())
        .contains("\"ttl\"");
    Finished marks = strata("watermarks", "--registry", registry);
    assertThat(marks.code()).isZero();
    assertThat(marks.out()).contains("No watermarks");

    try (RedisLauncher redis = RedisLauncher.single("pw")) {
      String wrongPassword = redis.url().replace(":pw@", ":nope@");
      List<Object[]> errors = new ArrayList<>();
      // args, exit code, what the line says
      errors.add(
          new Object[] {
            new String[] {
              "materialize",
              "nope",
              "--start",
              "2001-01-01T00:00:00Z",
              "--end",
              "2001-01-02T00:00:00Z",
              "--redis",
              redis.url(),
              "--registry",
              registry
            },
            5,
            "No feature view named 'nope'"
          });
      errors.add(
          new Object[] {
            new String[] {
              "materialize",
              "origin_delays",
              "--start",
              "yesterday",
              "--end",
              "2001-01-02T00:00:00Z",
              "--redis",
              redis.url(),
              "--registry",
              registry
            },
            2,
            "'yesterday' is not an instant: write it like 2001-01-15T00:00:00Z"
          });
      errors.add(
          new Object[] {
            new String[] {
              "materialize",
              "origin_delays",
              "--start",
              "2001-01-01T00:00:00Z",
              "--end",
              "2001-01-02T00:00:00Z",
              "--redis",
              "http://localhost:6379",
              "--registry",
              registry
            },
            2,
            "not a Redis URL"
          });
      errors.add(
          new Object[] {
            new String[] {
              "materialize-incremental",
              "origin_delays",
              "--redis",
              wrongPassword,
              "--registry",
              registry
            },
            2,
            "refused the credentials"
          });
      errors.add(
          new Object[] {
            new String[] {
              "backfill",
              "origin_delays",
              "--start",
              "2001-13-01",
              "--end",
              "2001-01-02",
              "--registry",
              registry
            },
            2,
            "'2001-13-01' is not a date: write it like 2001-01-15"
          });
      errors.add(
          new Object[] {
            new String[] {
              "backfill",
              "nope",
              "--start",
              "2001-01-01",
              "--end",
              "2001-01-02",
              "--registry",
              registry
            },
            5,
            "No feature view named 'nope'"
          });
      errors.add(
          new Object[] {
            new String[] {"describe", "feature-view", "nope", "--registry", registry}, 5, "nope"
          });
      errors.add(
          new Object[] {new String[] {"watermarks", "nope", "--registry", registry}, 5, "nope"});
      errors.add(new Object[] {new String[] {"ls", "tables", "--registry", registry}, 2, "tables"});
      errors.add(new Object[] {new String[] {"frobnicate"}, 2, "frobnicate"});
      for (Object[] e : errors) {
        String[] args = (String[]) e[0];
        Finished f = strata(args);
        assertThat(f.code()).as(String.join(" ", args) + " -> " + f.err()).isEqualTo((int) e[1]);
        assertThat(f.err().lines())
            .as(String.join(" ", args))
            .singleElement()
            .asString()
            .startsWith("error: ")
            .contains((String) e[2])
            .doesNotContain("Exception")
            .doesNotContain("nope@");
        assertThat(f.out()).isEmpty();
      }
    }
  }
}
