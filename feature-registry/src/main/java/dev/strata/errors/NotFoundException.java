package dev.strata.errors;

/** A named object (a feature view, service, training set, model or lineage node) does not exist. */
public class NotFoundException extends StrataException {
  public NotFoundException(String message) {
    super(message, null);
  }

  public NotFoundException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public final Kind kind() {
    return Kind.NOT_FOUND;
  }
}
