package dev.strata.offline;

import dev.strata.errors.InvalidDefinitionException;

/**
 * The entity rows of a historical retrieval do not match the views' join keys (data that does not
 * match its definitions, exit code 3); nothing was computed.
 */
public class EntityFrameException extends InvalidDefinitionException {
  public EntityFrameException(String message) {
    super(message);
  }
}
