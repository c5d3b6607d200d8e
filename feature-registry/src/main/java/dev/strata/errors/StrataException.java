package dev.strata.errors;

/**
 * An error a user can cause or must act on, of one of five kinds. The CLI turns the kind into its
 * exit code in one place, and the feature server into its HTTP status in one place:
 *
 * <table>
 *   <caption>kinds</caption>
 *   <tr><th>kind</th><th>CLI exit</th><th>HTTP</th></tr>
 *   <tr><td>{@link Kind#INVALID_INPUT}</td><td>2</td><td>400</td></tr>
 *   <tr><td>{@link Kind#INVALID_DEFINITION}</td><td>3</td><td>400</td></tr>
 *   <tr><td>{@link Kind#CONFLICT}</td><td>4</td><td>409</td></tr>
 *   <tr><td>{@link Kind#NOT_FOUND}</td><td>5</td><td>404</td></tr>
 *   <tr><td>{@link Kind#UNAVAILABLE}</td><td>6</td><td>503</td></tr>
 * </table>
 *
 * <p>The message says what is wrong, where, and with which value; it never needs a stack trace.
 */
public abstract class StrataException extends RuntimeException {
  /** What went wrong, as callers act on it. */
  public enum Kind {
    /** A value the caller gave is wrong: an option, a time range, a name, a URL. */
    INVALID_INPUT,
    /** Definitions are inconsistent, or data does not match its definition. */
    INVALID_DEFINITION,
    /**
     * The request clashes with the registry's or a table's state: a breaking change, a lost race.
     */
    CONFLICT,
    /** A named object (view, service, training set, model, lineage node) does not exist. */
    NOT_FOUND,
    /**
     * A service it needs (the registry database, Redis, storage) cannot be reached; retry later.
     */
    UNAVAILABLE
  }

  protected StrataException(String message, Throwable cause) {
    super(message, cause);
  }

  public abstract Kind kind();
}
