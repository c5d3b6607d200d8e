package dev.strata.dsl;

/** The aggregations a sliding-window feature can compute. */
public enum AggregationFunction {
  /** Number of events (or of non-null values, with an input). INT64, 0 for an empty window. */
  COUNT,
  /** Sum of non-null values; INT64 for integral input, FLOAT64 otherwise; null if none. */
  SUM,
  /** Mean of non-null values, FLOAT64; null if none. */
  AVG,
  MIN,
  MAX,
  /** Value of the latest event in the window (greatest event time, then created time). */
  LAST,
  /** Sample standard deviation of non-null values, FLOAT64; null with fewer than two. */
  STDDEV;

  /** The result type over an input of the given type (null input type: no input, COUNT only). */
  ValueType resultType(ValueType input) {
    switch (this) {
      case COUNT:
        return ValueType.INT64;
      case SUM:
        return input.isIntegral() ? ValueType.INT64 : ValueType.FLOAT64;
      case AVG:
      case STDDEV:
        return ValueType.FLOAT64;
      default:
        return input;
    }
  }

  /** Why this function cannot take the input type, or null if it can. */
  String rejects(ValueType input) {
    switch (this) {
      case SUM:
      case AVG:
      case STDDEV:
        return input.isNumeric() ? null : name().toLowerCase() + " needs a number, found " + input;
      case MIN:
      case MAX:
        return input.isOrdered()
            ? null
            : name().toLowerCase() + " needs an ordered type, found " + input;
      default:
        return null;
    }
  }
}
