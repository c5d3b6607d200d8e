package dev.strata.registry;

/**
 * What a completed run leaves in the registry's catalog, recorded in the same transaction as the
 * run's completion: a run that fails or dies leaves none.
 */
public sealed interface CatalogEntry permits OfflineTable, Watermark, RunQuality {}
