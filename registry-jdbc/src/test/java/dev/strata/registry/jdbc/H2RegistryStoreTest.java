package dev.strata.registry.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.registry.JobKind;
import dev.strata.registry.LineageId;
import dev.strata.registry.RunRecord;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry contract on the embedded database file, as the CLI uses it by default. */
class H2RegistryStoreTest extends RegistryStoreContract {
  @TempDir Path dir;

  @Override
  protected String newDatabaseUrl() {
    return RegistryUrls.embedded(dir.resolve(java.util.UUID.randomUUID().toString()));
  }

  @Test
  void registryWrittenBeforeMigrationTwoKeepsItsRunTimes() throws Exception {
    String url = RegistryUrls.embedded(dir.resolve("old"));
    RunRecord run =
        RunRecord.started(JobKind.BACKFILL, ids("table:in"), Map.of()).completed(ids("table:out"));
    try (JdbcRegistryStore store = JdbcRegistryStore.open(url)) {
      store.recordRun(run);
    }
    // put the database back to how a release with only V1 left it: times in milliseconds
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      st.execute("DELETE FROM strata_migrations WHERE version = 2");
      st.execute("UPDATE runs SET started_at = started_at / 1000, ended_at = ended_at / 1000");
    }
    try (JdbcRegistryStore store = JdbcRegistryStore.open(url)) {
      RunRecord back = store.run(run.id()).orElseThrow();
      assertThat(back.startedAt()).isEqualTo(run.startedAt().truncatedTo(ChronoUnit.MILLIS));
      assertThat(back.endedAt()).isEqualTo(run.endedAt().truncatedTo(ChronoUnit.MILLIS));
      assertThat(back.startedAt()).isAfter(Instant.parse("2020-01-01T00:00:00Z"));
    }
  }

  /** Lineage ids from their text forms. */
  static List<LineageId> ids(String... ids) {
    return java.util.Arrays.stream(ids).map(LineageId::parse).toList();
  }
}
