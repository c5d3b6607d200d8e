-- Drift checks (DriftReport.toJson in `record`): found by view, newest first; the feature server
-- reads the newest per view for its gauges.
CREATE TABLE drift_reports (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  view_name VARCHAR(200) NOT NULL,
  view_version INT NOT NULL,
  drifted INT NOT NULL,
  recorded_at BIGINT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX drift_reports_by_view ON drift_reports (view_name, recorded_at);
