package dev.strata.offline;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** DataFrame assertions of spark-testing-base, usable from JUnit 5 tests. */
public final class DataFrames {
  private DataFrames() {}

  /** Same schema and the same rows (as a multiset), in any order. */
  public static void assertEqualsIgnoringOrder(Dataset<Row> expected, Dataset<Row> actual) {
    new JavaDataFrameSuiteBase().assertDataFrameNoOrderEquals(expected, actual);
  }

  /** Same schema and the same rows in the same order, doubles within {@code tolerance}. */
  public static void assertEquals(Dataset<Row> expected, Dataset<Row> actual, double tolerance) {
    new JavaDataFrameSuiteBase().assertDataFrameApproximateEquals(expected, actual, tolerance);
  }
}
