package dev.strata.offline;

import dev.strata.errors.InvalidDefinitionException;

/**
 * A source table does not have the columns its definition declares; nothing was computed or
 * written. The message names the view, the source, the column, the expected and the found type.
 */
public class SourceSchemaException extends InvalidDefinitionException {
  public SourceSchemaException(String message) {
    super(message);
  }
}
