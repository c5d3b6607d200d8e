package dev.strata.errors;

/** A value the caller gave is wrong; the message names it and says what would be right. */
public class InvalidInputException extends StrataException {
  public InvalidInputException(String message) {
    super(message, null);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final Kind kind() {
    return Kind.INVALID_INPUT;
  }
}
