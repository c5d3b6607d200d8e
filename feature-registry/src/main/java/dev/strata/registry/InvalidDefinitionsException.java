package dev.strata.registry;

import dev.strata.dsl.DefinitionException;
import java.util.List;

/** The definitions to plan or apply are inconsistent; nothing was written. */
public class InvalidDefinitionsException extends DefinitionException {
  private final List<String> errors;

  public InvalidDefinitionsException(List<String> errors) {
    super("Invalid definitions, nothing applied:\n  - " + String.join("\n  - ", errors));
    this.errors = List.copyOf(errors);
  }

  public List<String> errors() {
    return errors;
  }
}
