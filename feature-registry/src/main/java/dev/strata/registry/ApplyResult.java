package dev.strata.registry;

/**
 * The outcome of an apply.
 *
 * @param revision the registry revision after the apply
 * @param attempts how many times the apply was planned (more than one after concurrent applies)
 */
public record ApplyResult(long revision, Plan plan, int attempts) {
  public boolean changed() {
    return !plan.isEmpty();
  }
}
