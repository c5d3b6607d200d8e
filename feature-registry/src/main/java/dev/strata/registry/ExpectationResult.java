package dev.strata.registry;

import dev.strata.dsl.Expectation;
import java.util.Objects;

/**
 * How one expectation of a feature view fared in one run.
 *
 * @param expectation the expectation as it reads ({@link Expectation#describe()})
 * @param observed what the run's rows showed, e.g. {@code 12 of 5000 values outside, min -3, max
 *     86400}
 */
public record ExpectationResult(
    String view,
    String expectation,
    Expectation.Severity severity,
    boolean passed,
    String observed) {
  public ExpectationResult {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(expectation, "expectation");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(observed, "observed");
  }

  /** A failure that stops the job. */
  public boolean blocks() {
    return !passed && severity == Expectation.Severity.STRICT;
  }

  @Override
  public String toString() {
    return (passed ? "passed" : severity == Expectation.Severity.STRICT ? "FAILED" : "warning")
        + " "
        + view
        + ": "
        + expectation
        + " ("
        + observed
        + ")";
  }
}
