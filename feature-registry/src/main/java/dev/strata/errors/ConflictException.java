package dev.strata.errors;

/**
 * The request clashes with the current state (a breaking change, an apply that kept losing races, a
 * table that exists); nothing was written.
 */
public class ConflictException extends StrataException {
  public ConflictException(String message) {
    super(message, null);
  }

  public ConflictException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final Kind kind() {
    return Kind.CONFLICT;
  }
}
