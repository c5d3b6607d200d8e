package dev.strata.offline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import dev.strata.registry.DriftReport.FeatureDrift;
import dev.strata.registry.DriftReport.Thresholds;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distribution drift of numeric features between a reference (a training set, a date range of an
 * offline table) and a current window, per feature: the population stability index, the
 * Kolmogorov-Smirnov statistic and the Jensen-Shannon divergence. Nulls are left out of both sides.
 *
 * <ul>
 *   <li>KS is exact: the largest distance between the two empirical distribution functions, over
 *       every distinct value of either side.
 *   <li>PSI and JS use {@value #BINS} bins cut at the reference's exact deciles (equal-frequency
 *       bins of the reference; a decile repeated by ties cuts once): bin {@code i} holds the values
 *       in {@code (edge[i-1], edge[i]]}. PSI is {@code sum((c - r) ln(c / r))} over the bins'
 *       shares {@code r} and {@code c}, each at least {@value #PSI_FLOOR} so that an empty bin
 *       counts without dividing by zero. JS is in bits, from 0 (the same shares) to 1 (no bin in
 *       common).
 * </ul>
 *
 * <pre>{@code
 * List<DriftReport.FeatureDrift> d = Drift.compare(reference, current, List.of("avg_delay_1d"),
 *     DriftReport.Thresholds.DEFAULTS);
 * }</pre>
 */
public final class Drift {
  static final int BINS = 10;
  static final double PSI_FLOOR = 1e-4;

  private Drift() {}

  /** Compares {@code features} of the two row sets, one Spark job per feature. */
  public static List<FeatureDrift> compare(
      Dataset<Row> reference, Dataset<Row> current, List<String> features, Thresholds t) {
    List<FeatureDrift> out = new ArrayList<>();
    for (String f : features) {
      Dataset<Row> both =
          side(reference, f, 1, 0)
              .unionByName(side(current, f, 0, 1))
              .groupBy("v")
              .agg(sum("r").as("r"), sum("c").as("c"))
              .orderBy("v");
      List<Row> rows = both.collectAsList();
      double[] values = new double[rows.size()];
      long[] ref = new long[rows.size()];
      long[] cur = new long[rows.size()];
      for (int i = 0; i < rows.size(); i++) {
        values[i] = rows.get(i).getDouble(0);
        ref[i] = rows.get(i).getLong(1);
        cur[i] = rows.get(i).getLong(2);
      }
      out.add(of(f, values, ref, cur, t));
    }
    return out;
  }

  private static Dataset<Row> side(Dataset<Row> rows, String feature, int r, int c) {
    return rows.select(col("`" + feature + "`").cast("double").as("v"))
        .filter(col("v").isNotNull().and(isnan(col("v")).unary_$bang()))
        .withColumn("r", lit(r).cast("long"))
        .withColumn("c", lit(c).cast("long"));
  }

  /**
   * The figures from the counts of each distinct value on either side, values ascending: the whole
   * computation once the data is counted, kept apart so that tests can check it by hand.
   */
  static FeatureDrift of(String feature, double[] values, long[] ref, long[] cur, Thresholds t) {
    long nRef = 0;
    long nCur = 0;
    for (int i = 0; i < values.length; i++) {
      nRef += ref[i];
      nCur += cur[i];
    }
    if (nRef == 0 || nCur == 0) {
      return new FeatureDrift(
          feature,
          nRef,
          nCur,
          Double.NaN,
          Double.NaN,
          Double.NaN,
          true,
          List.of(),
          List.of(),
          List.of());
    }
    // KS over every distinct value; the reference's deciles as bin edges on the way
    double ks = 0;
    long cumRef = 0;
    long cumCur = 0;
    List<Double> edges = new ArrayList<>();
    int nextDecile = 1;
    for (int i = 0; i < values.length; i++) {
      cumRef += ref[i];
      cumCur += cur[i];
      ks = Math.max(ks, Math.abs((double) cumRef / nRef - (double) cumCur / nCur));
      while (nextDecile < BINS && cumRef * BINS >= (long) nextDecile * nRef) {
        if (edges.isEmpty() || edges.get(edges.size() - 1) != values[i]) {
          edges.add(values[i]);
        }
        nextDecile++;
      }
    }
    // bin i: (edge[i-1], edge[i]]; the last bin is above the last edge
    long[] refBins = new long[edges.size() + 1];
    long[] curBins = new long[edges.size() + 1];
    int bin = 0;
    for (int i = 0; i < values.length; i++) {
      while (bin < edges.size() && values[i] > edges.get(bin)) {
        bin++;
      }
      refBins[bin] += ref[i];
      curBins[bin] += cur[i];
    }
    double psi = 0;
    double js = 0;
    for (int b = 0; b < refBins.length; b++) {
      double p = (double) refBins[b] / nRef;
      double q = (double) curBins[b] / nCur;
      double r = Math.max(p, PSI_FLOOR);
      double c = Math.max(q, PSI_FLOOR);
      psi += (c - r) * Math.log(c / r);
      double m = (p + q) / 2;
      js += 0.5 * (p > 0 ? p * log2(p / m) : 0) + 0.5 * (q > 0 ? q * log2(q / m) : 0);
    }
    boolean drifted = psi > t.psi() || ks > t.ks() || js > t.js();
    List<Long> refCounts = new ArrayList<>();
    List<Long> curCounts = new ArrayList<>();
    for (int b = 0; b < refBins.length; b++) {
      refCounts.add(refBins[b]);
      curCounts.add(curBins[b]);
    }
    return new FeatureDrift(feature, nRef, nCur, psi, ks, js, drifted, edges, refCounts, curCounts);
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
