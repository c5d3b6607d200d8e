package dev.strata.offline;

/**
 * A source table does not have the columns its definition declares; nothing was computed or
 * written. The message names the view, the source, the column, the expected and the found type.
 */
public class SourceSchemaException extends RuntimeException {
  public SourceSchemaException(String message) {
    super(message);
  }
}
