package dev.strata.registry.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The registry contract on a real PostgreSQL server, each test in a schema of its own.
 *
 * <p>The server is {@code STRATA_TEST_POSTGRES_URL} (default {@code
 * jdbc:postgresql://127.0.0.1:5432/test?user=postgres}). Where none answers the tests are skipped,
 * unless {@code STRATA_REQUIRE_POSTGRES=true} (as {@code .ci/run} sets it), which makes them fail.
 */
class PostgresRegistryStoreTest extends RegistryStoreContract {
  static final String BASE_URL =
      System.getenv()
          .getOrDefault(
              "STRATA_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  @Override
  protected String newDatabaseUrl() throws SQLException {
    String schema = "strata_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(BASE_URL);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      if ("true".equalsIgnoreCase(System.getenv("STRATA_REQUIRE_POSTGRES"))) {
        throw e;
      }
      Assumptions.abort("No PostgreSQL at " + BASE_URL + ": " + e.getMessage());
    }
    return BASE_URL + (BASE_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }
}
