/**
 * Training datasets from point-in-time joins, distributed training (XGBoost4J-Spark), evaluation and the model registry.
 *
 * <p>This module is a skeleton so far: the build already pins its dependencies and enforces its
 * boundaries (see the root README, "Modules").
 */
package dev.strata.training;
