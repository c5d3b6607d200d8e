/**
 * Training on point-in-time joins: training datasets stored as tables and registered with the
 * snapshot of every table they read, so that a rebuild gives the same rows ({@link
 * dev.strata.training.TrainingSets}); distributed XGBoost4J-Spark training with a split by time,
 * evaluation, a model registry with lineage, and batch scoring ({@link
 * dev.strata.training.Models}).
 */
package dev.strata.training;
