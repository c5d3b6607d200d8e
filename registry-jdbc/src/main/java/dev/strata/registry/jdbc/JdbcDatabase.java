package dev.strata.registry.jdbc;

import dev.strata.registry.RegistryException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** One registry database: its JDBC URL, connections, and the error every failed query becomes. */
final class JdbcDatabase implements AutoCloseable {
  private final String url;
  private final Connection keeper;

  JdbcDatabase(String url) {
    this.url = url;
    try {
      // An embedded H2 database closes with its last connection; keep one open meanwhile.
      this.keeper = url.startsWith("jdbc:h2:") ? DriverManager.getConnection(url) : null;
    } catch (SQLException e) {
      throw new RegistryException(
          "Cannot open the registry database " + RegistryUrls.redact(url) + ": " + e.getMessage(),
          e);
    }
  }

  String url() {
    return url;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** Work on one connection. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  <T> T read(Work<T> work) {
    try (Connection c = connect()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new RegistryException("Registry query failed: " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   */
  <T> T transaction(Work<T> work) {
    return read(
        c -> {
          c.setAutoCommit(false);
          try {
            T result = work.run(c);
            c.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
          }
        });
  }

  @Override
  public void close() {
    if (keeper != null) {
      try {
        keeper.close();
      } catch (SQLException ignored) {
        // closing an embedded database that is already gone
      }
    }
  }
}
