package dev.strata.registry;

/**
 * A job named an object the registry does not hold (a feature view, service, training set or
 * model). The CLI answers it with exit code 5; it is an {@link IllegalArgumentException}, so
 * callers that treat bad arguments alike still do.
 */
public class NotRegisteredException extends IllegalArgumentException {
  public NotRegisteredException(String message) {
    super(message);
  }
}
