package dev.strata.registry;

import dev.strata.errors.UnavailableException;

/** The registry database failed or could not be reached. */
public class RegistryException extends UnavailableException {
  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
