package dev.strata.dsl;

import dev.strata.errors.InvalidDefinitionException;

/**
 * A definition that cannot be built or applied. The message names the object, the field and the
 * offending value, e.g. {@code Cannot build feature view 'origin_delays': window PT0S of
 * 'avg_delay_24h' must be positive}.
 */
public class DefinitionException extends InvalidDefinitionException {
  public DefinitionException(String message) {
    super(message);
  }

  static DefinitionException of(String kind, String name, String format, Object... args) {
    return new DefinitionException(
        "Cannot build " + kind + " '" + name + "': " + String.format(format, args));
  }
}
