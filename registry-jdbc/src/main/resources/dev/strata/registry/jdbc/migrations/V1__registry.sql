-- Strata registry, schema version 1. Runs on H2 (embedded) and PostgreSQL.
-- Times are epoch milliseconds (BIGINT) so both databases store them the same way.

CREATE TABLE IF NOT EXISTS registry_state (
  id INT PRIMARY KEY,
  revision BIGINT NOT NULL
);

INSERT INTO registry_state (id, revision)
  SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM registry_state WHERE id = 1);

-- One row per apply that changed something.
CREATE TABLE IF NOT EXISTS registry_revisions (
  revision BIGINT PRIMARY KEY,
  applied_at BIGINT NOT NULL,
  applied_by VARCHAR(200) NOT NULL,
  summary TEXT NOT NULL
);

-- The current version of every object; removed objects keep their history.
CREATE TABLE IF NOT EXISTS registry_objects (
  kind VARCHAR(32) NOT NULL,
  name VARCHAR(128) NOT NULL,
  current_version INT NOT NULL,
  removed BOOLEAN NOT NULL,
  PRIMARY KEY (kind, name)
);

-- Every version ever applied, immutable.
CREATE TABLE IF NOT EXISTS registry_versions (
  kind VARCHAR(32) NOT NULL,
  name VARCHAR(128) NOT NULL,
  version INT NOT NULL,
  content_hash VARCHAR(64) NOT NULL,
  definition TEXT NOT NULL,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (kind, name, version)
);

CREATE TABLE IF NOT EXISTS lineage_nodes (
  id VARCHAR(1000) PRIMARY KEY,
  kind VARCHAR(40) NOT NULL,
  name VARCHAR(500) NOT NULL,
  version VARCHAR(200) NOT NULL,
  properties TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS lineage_nodes_kind_name ON lineage_nodes (kind, name);

CREATE TABLE IF NOT EXISTS lineage_edges (
  from_id VARCHAR(1000) NOT NULL,
  to_id VARCHAR(1000) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (from_id, to_id)
);

CREATE INDEX IF NOT EXISTS lineage_edges_to ON lineage_edges (to_id);

-- Jobs that ran (apply, backfill, materialization, training), for lineage and OpenLineage export.
CREATE TABLE IF NOT EXISTS runs (
  id VARCHAR(64) PRIMARY KEY,
  job VARCHAR(200) NOT NULL,
  status VARCHAR(20) NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  inputs TEXT NOT NULL,
  outputs TEXT NOT NULL,
  properties TEXT NOT NULL
);
