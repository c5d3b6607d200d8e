package dev.strata.errors;

/**
 * A service the job needs (the registry database, Redis, the storage) cannot be reached; retrying
 * later may work.
 */
public class UnavailableException extends StrataException {
  public UnavailableException(String message) {
    super(message, null);
  }

  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
