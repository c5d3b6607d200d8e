package dev.strata.registry.jdbc;

import static dev.strata.registry.jdbc.JdbcValues.bind;
import static dev.strata.registry.jdbc.JdbcValues.micros;

import dev.strata.registry.DriftReport;
import dev.strata.registry.DriftStore;
import java.sql.PreparedStatement;
import java.util.List;

/** Drift checks in SQL ({@code drift_reports}): the report's JSON, found by view and time. */
final class JdbcDrift implements DriftStore {
  private final JdbcDatabase db;

  JdbcDrift(JdbcDatabase db) {
    this.db = db;
  }

  @Override
  public void recordDrift(DriftReport report) {
    db.transaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO drift_reports (id, view_name, view_version, drifted, recorded_at,"
                      + " record) VALUES (?, ?, ?, ?, ?, ?)")) {
            bind(
                ps,
                report.id(),
                report.view(),
                report.viewVersion(),
                (int) report.drifted(),
                micros(report.recordedAt()),
                report.toJson());
            ps.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<DriftReport> drift(String view) {
    return db.read(
        c ->
            JdbcValues.query(
                c,
                "SELECT record FROM drift_reports WHERE view_name = ? ORDER BY recorded_at DESC",
                rs -> DriftReport.fromJson(rs.getString(1)),
                view));
  }

  @Override
  public List<DriftReport> latestDrift() {
    return db.read(
        c ->
            JdbcValues.query(
                c,
                "SELECT d.record FROM drift_reports d JOIN (SELECT view_name, MAX(recorded_at) AS"
                    + " newest FROM drift_reports GROUP BY view_name) n ON d.view_name ="
                    + " n.view_name AND d.recorded_at = n.newest ORDER BY d.view_name",
                rs -> DriftReport.fromJson(rs.getString(1))));
  }
}
