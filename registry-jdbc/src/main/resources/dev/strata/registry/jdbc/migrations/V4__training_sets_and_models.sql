-- Training sets and models get catalog tables of their own, keyed by name and version (the Java
-- step of this migration, CatalogMigration.moveArtifacts, copies the ones registered before as
-- lineage nodes). Each row keeps the record's stored form (TrainingSet/ModelVersion.toProperties).
CREATE TABLE training_sets (
  name VARCHAR(200) NOT NULL,
  version INT NOT NULL,
  node_id VARCHAR(300) NOT NULL,
  record TEXT NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE models (
  name VARCHAR(200) NOT NULL,
  version INT NOT NULL,
  node_id VARCHAR(300) NOT NULL,
  record TEXT NOT NULL,
  run_id VARCHAR(64) NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);
