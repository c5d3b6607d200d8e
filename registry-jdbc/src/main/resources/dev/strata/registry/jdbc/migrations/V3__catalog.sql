-- The typed catalog: each view version's offline table and each watermark get rows of their own,
-- answered by primary keys, instead of being found by scanning every run's properties.
-- (The Java step of this migration, CatalogMigration, moves what existing runs recorded.)
CREATE TABLE offline_tables (
  view_name VARCHAR(200) NOT NULL,
  view_version INT NOT NULL,
  format VARCHAR(20) NOT NULL,
  location VARCHAR(2000) NOT NULL,
  snapshot VARCHAR(200) NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (view_name, view_version, format)
);
CREATE TABLE watermarks (
  view_name VARCHAR(200) NOT NULL,
  view_version INT NOT NULL,
  online_store VARCHAR(500) NOT NULL,
  end_micros BIGINT NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (view_name, view_version, online_store)
);
CREATE INDEX runs_by_job ON runs (job, status, started_at);
