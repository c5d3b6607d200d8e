package dev.strata.registry.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Versioned schema migrations ({@code migrations/V<n>__<name>.sql} beside this class), applied in
 * order, each recorded in {@code strata_migrations}.
 */
final class Migrations {
  /** A migration: a SQL script, then (optionally) a step in Java, in one transaction. */
  record Step(String script, DataStep data) {}

  /** Moves data where SQL alone cannot (it parses JSON, for example). */
  interface DataStep {
    void run(Connection c) throws SQLException;
  }

  /** The migrations, in order; add new ones at the end, never edit an old one. */
  static final List<Step> STEPS =
      List.of(
          new Step("V1__registry.sql", null),
          new Step("V2__run_times_in_micros.sql", null),
          new Step("V3__catalog.sql", CatalogMigration::moveRunProperties),
          new Step("V4__training_sets_and_models.sql", CatalogMigration::moveArtifacts),
          new Step("V5__run_quality.sql", null),
          new Step("V6__drift_reports.sql", null));

  interface ConnectionSource {
    Connection get() throws SQLException;
  }

  private Migrations() {}

  static void migrate(ConnectionSource source) throws SQLException {
    migrate(source, STEPS.size());
  }

  /** Applies the migrations up to version {@code last} (tests build old registries with it). */
  static void migrate(ConnectionSource source, int last) throws SQLException {
    try (Connection c = source.get()) {
      try (Statement st = c.createStatement()) {
        st.execute(
            "CREATE TABLE IF NOT EXISTS strata_migrations (version INT PRIMARY KEY,"
                + " script VARCHAR(200) NOT NULL, applied_at BIGINT NOT NULL)");
      }
      for (int i = 0; i < last; i++) {
        int version = i + 1;
        if (applied(c, version)) {
          continue;
        }
        c.setAutoCommit(false);
        try {
          try (Statement st = c.createStatement()) {
            for (String sql : statements(STEPS.get(i).script())) {
              st.execute(sql);
            }
          }
          if (STEPS.get(i).data() != null) {
            STEPS.get(i).data().run(c);
          }
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO strata_migrations (version, script, applied_at) VALUES (?, ?, ?)")) {
            ps.setInt(1, version);
            ps.setString(2, STEPS.get(i).script());
            ps.setLong(3, System.currentTimeMillis());
            ps.executeUpdate();
          }
          c.commit();
        } catch (SQLException e) {
          c.rollback();
          // another process migrated at the same time: fine if it finished the job
          if (!applied(c, version)) {
            throw e;
          }
        } finally {
          c.setAutoCommit(true);
        }
      }
    }
  }

  private static boolean applied(Connection c, int version) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM strata_migrations WHERE version = ?")) {
      ps.setInt(1, version);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static List<String> statements(String script) {
    String text;
    try (InputStream in = Migrations.class.getResourceAsStream("migrations/" + script)) {
      if (in == null) {
        throw new IllegalStateException("Missing migration " + script);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read migration " + script, e);
    }
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("\n")) {
      if (line.trim().startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (line.trim().endsWith(";")) {
        String sql = current.toString().trim();
        out.add(sql.substring(0, sql.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }
}
