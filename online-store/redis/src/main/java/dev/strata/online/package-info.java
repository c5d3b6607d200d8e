/**
 * Redis layout and codec for online feature values, with a Spring-free reader and writer (Jedis). Materialization writes through this artifact; the feature server reads through it.
 *
 * <p>This module is a skeleton so far: the build already pins its dependencies and enforces its
 * boundaries (see the root README, "Modules").
 */
package dev.strata.online;
