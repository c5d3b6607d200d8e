package dev.strata.registry;

import dev.strata.errors.ConflictException;

/** Another apply committed first, too many times in a row; nothing was written by this one. */
public class ConcurrentApplyException extends ConflictException {
  public ConcurrentApplyException(String message) {
    super(message);
  }
}
