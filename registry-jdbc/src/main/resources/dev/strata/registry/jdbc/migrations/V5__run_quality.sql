-- What each run found about the rows it wrote: per-feature statistics and expectation results
-- (RunQuality.toJson in `record`), one row per run, found by run or by subject, newest first.
CREATE TABLE run_quality (
  run_id VARCHAR(64) NOT NULL PRIMARY KEY,
  job VARCHAR(100) NOT NULL,
  subject_kind VARCHAR(40) NOT NULL,
  subject_name VARCHAR(200) NOT NULL,
  subject_version INT NOT NULL,
  snapshot VARCHAR(200) NOT NULL,
  passed BOOLEAN NOT NULL,
  recorded_at BIGINT NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX run_quality_by_subject ON run_quality (subject_kind, subject_name, subject_version, recorded_at);
