package dev.strata.registry;

/**
 * How to apply a repository.
 *
 * @param prune also remove registered objects that the repository no longer defines (without it an
 *     apply only adds and updates, so repositories that share a registry do not undo each other)
 * @param allowBreaking apply even when a change may break consumers
 * @param appliedBy who applies, for the revision log
 */
public record ApplyOptions(boolean prune, boolean allowBreaking, String appliedBy) {
  public static ApplyOptions defaults() {
    return new ApplyOptions(false, false, System.getProperty("user.name", "unknown"));
  }

  public ApplyOptions withPrune(boolean value) {
    return new ApplyOptions(value, allowBreaking, appliedBy);
  }

  public ApplyOptions withAllowBreaking(boolean value) {
    return new ApplyOptions(prune, value, appliedBy);
  }
}
