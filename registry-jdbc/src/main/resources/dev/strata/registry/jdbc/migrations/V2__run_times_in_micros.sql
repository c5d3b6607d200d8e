-- Run times move from epoch milliseconds to epoch microseconds, so that runs started within one
-- millisecond keep their order (watermarks and "latest run" depend on it). Existing rows are scaled.
UPDATE runs SET started_at = started_at * 1000, ended_at = ended_at * 1000;
