package dev.strata.offline;

import dev.strata.errors.InvalidInputException;

/** The entity rows of a historical retrieval cannot be joined; nothing was computed. */
public class EntityFrameException extends InvalidInputException {
  public EntityFrameException(String message) {
    super(message);
  }
}
