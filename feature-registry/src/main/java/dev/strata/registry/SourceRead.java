package dev.strata.registry;

import dev.strata.dsl.Snapshot;
import java.util.Optional;

/**
 * A source as a job read it: by name, at a snapshot (none for Parquet files, which have none). A
 * training set records one for every source it read, so that a rebuild reads the same rows.
 */
public record SourceRead(String source, Optional<Snapshot> snapshot) {}
