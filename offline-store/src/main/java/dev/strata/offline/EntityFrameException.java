package dev.strata.offline;

/** The entity rows of a historical retrieval cannot be joined; nothing was computed. */
public class EntityFrameException extends RuntimeException {
  public EntityFrameException(String message) {
    super(message);
  }
}
