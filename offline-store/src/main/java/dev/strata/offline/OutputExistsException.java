package dev.strata.offline;

import dev.strata.dsl.TableLocation;
import dev.strata.errors.InvalidInputException;

/**
 * An output table that is already there, written without overwrite; nothing was written. The CLI
 * says which option replaces it.
 */
public class OutputExistsException extends InvalidInputException {
  private final transient TableLocation table;

  public OutputExistsException(TableLocation table) {
    super(
        table.formatName()
            + " table "
            + table.location()
            + " exists; write with overwrite to replace it");
    this.table = table;
  }

  /** The table that exists. */
  public TableLocation table() {
    return table;
  }
}
