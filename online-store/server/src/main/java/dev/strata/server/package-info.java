/**
 * The REST feature server (Spring Boot): reads online feature values from Redis and definitions from the registry. No Spark on its classpath.
 *
 * <p>This module is a skeleton so far: the build already pins its dependencies and enforces its
 * boundaries (see the root README, "Modules").
 */
package dev.strata.server;
