/**
 * Spark jobs that load the latest feature values into the online store, batch and incremental, with watermarks.
 *
 * <p>This module is a skeleton so far: the build already pins its dependencies and enforces its
 * boundaries (see the root README, "Modules").
 */
package dev.strata.materialization;
