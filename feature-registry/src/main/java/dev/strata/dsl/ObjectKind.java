package dev.strata.dsl;

import java.util.Locale;

/** The kinds of registered definitions, in the order they depend on one another. */
public enum ObjectKind {
  ENTITY("entity"),
  SOURCE("source"),
  FEATURE_VIEW("feature view"),
  FEATURE_SERVICE("feature service");

  private final String label;

  ObjectKind(String label) {
    this.label = label;
  }

  /** Human-readable, e.g. {@code feature view}. */
  public String label() {
    return label;
  }

  /** Parses {@code feature-view}, {@code feature_view}, {@code views}, ... */
  public static ObjectKind parse(String text) {
    String t = text.toLowerCase(Locale.ROOT).replace('-', '_').replace(' ', '_');
    switch (t) {
      case "entity":
      case "entities":
        return ENTITY;
      case "source":
      case "sources":
        return SOURCE;
      case "feature_view":
      case "feature_views":
      case "view":
      case "views":
        return FEATURE_VIEW;
      case "feature_service":
      case "feature_services":
      case "service":
      case "services":
        return FEATURE_SERVICE;
      default:
        throw new IllegalArgumentException(
            "Unknown kind '"
                + text
                + "': expected entity, source, feature-view or feature-service");
    }
  }
}
