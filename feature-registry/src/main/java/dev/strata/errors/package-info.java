/**
 * Strata's error model: {@link dev.strata.errors.StrataException} and its five kinds, which the CLI
 * maps to exit codes and the feature server to HTTP statuses, each in one place.
 */
package dev.strata.errors;
