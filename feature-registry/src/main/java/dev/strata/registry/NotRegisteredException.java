package dev.strata.registry;

import dev.strata.errors.NotFoundException;

/**
 * A job named an object the registry does not hold (a feature view, service, training set or model)
 * by a name that is not registered.
 */
public class NotRegisteredException extends NotFoundException {
  public NotRegisteredException(String message) {
    super(message);
  }
}
