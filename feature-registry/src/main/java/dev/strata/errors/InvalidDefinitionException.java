package dev.strata.errors;

/**
 * Definitions that are inconsistent, or data that does not match its definition; nothing was
 * written.
 */
public class InvalidDefinitionException extends StrataException {
  public InvalidDefinitionException(String message) {
    super(message, null);
  }

  public InvalidDefinitionException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final Kind kind() {
    return Kind.INVALID_DEFINITION;
  }
}
