package dev.strata.dsl;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for the names of objects and columns, shared by every builder. */
final class Names {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,127}");

  /**
   * Column names the engines add to their outputs; a feature, key or source column may not use
   * them. Names starting with {@code __} are reserved too.
   */
  static final Set<String> RESERVED_COLUMNS =
      Set.of("event_timestamp", "created_timestamp", "entity_timestamp", "feature_timestamp");

  private Names() {}

  static void checkIdentifier(String kind, String owner, String field, String value) {
    if (value == null || value.isBlank()) {
      throw DefinitionException.of(kind, String.valueOf(owner), "%s must not be empty", field);
    }
    if (!IDENTIFIER.matcher(value).matches()) {
      throw DefinitionException.of(
          kind,
          owner,
          "%s '%s' must be lower case letters, digits and underscores, starting with a letter or"
              + " underscore, at most 128 characters",
          field,
          value);
    }
  }

  static void checkObjectName(String kind, String name) {
    if (name == null || name.isBlank()) {
      throw new DefinitionException("Cannot build " + kind + ": name must not be empty");
    }
    checkIdentifier(kind, name, "name", name);
  }

  static void checkNotReserved(String kind, String owner, String field, String column) {
    if (RESERVED_COLUMNS.contains(column.toLowerCase(Locale.ROOT)) || column.startsWith("__")) {
      throw DefinitionException.of(kind, owner, "%s '%s' is a reserved column name", field, column);
    }
  }

  /** Column names in sources may use upper case (they come from someone else's table). */
  static void checkColumn(String kind, String owner, String field, String column) {
    if (column == null || column.isBlank()) {
      throw DefinitionException.of(kind, owner, "%s must not be empty", field);
    }
    if (column.contains("`") || column.contains(".")) {
      throw DefinitionException.of(
          kind, owner, "%s '%s' must not contain '.' or '`'", field, column);
    }
  }
}
