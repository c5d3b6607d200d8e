package dev.strata.dsl;

/**
 * The value types a feature, a join key or a source column can have.
 *
 * <p>Numeric types widen in the order {@code INT32 < INT64 < FLOAT32 < FLOAT64}.
 */
public enum ValueType {
  BOOL,
  INT32,
  INT64,
  FLOAT32,
  FLOAT64,
  STRING,
  TIMESTAMP,
  DATE;

  public boolean isNumeric() {
    return this == INT32 || this == INT64 || this == FLOAT32 || this == FLOAT64;
  }

  public boolean isIntegral() {
    return this == INT32 || this == INT64;
  }

  /** Whether values of this type have an order (for min, max and comparisons). */
  public boolean isOrdered() {
    return isNumeric() || this == STRING || this == TIMESTAMP || this == DATE;
  }

  /** Whether this type may be a join-key column: exact, hashable, no floating point. */
  public boolean isJoinKeyType() {
    return this == STRING || this == INT32 || this == INT64;
  }

  /** The common numeric type of two numeric types. */
  static ValueType widen(ValueType a, ValueType b) {
    return a.ordinal() >= b.ordinal() ? a : b;
  }
}
