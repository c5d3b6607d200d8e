package dev.strata.registry;

import dev.strata.dsl.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The statistics of one feature over the rows one run wrote: counts, moments, approximate quantiles
 * at {@link #QUANTILES}, an approximate distinct count and a histogram on the fixed edges of {@link
 * Histogram#EDGES}, which are the same for every feature and every run, so that any two histograms
 * can be compared bin by bin.
 *
 * @param count rows, nulls included
 * @param nulls rows without a value
 * @param mean null when the feature is not numeric or has no values; so are {@code stddev} (the
 *     sample standard deviation, null below two values), {@code min} and {@code max}
 * @param quantiles the approximate values at {@link #QUANTILES}, in that order; empty when the
 *     feature is not numeric or has no values
 * @param approxDistinct the approximate number of distinct non-null values
 */
public record FeatureStatistics(
    String feature,
    ValueType type,
    long count,
    long nulls,
    Double mean,
    Double stddev,
    Double min,
    Double max,
    List<Double> quantiles,
    long approxDistinct,
    Histogram histogram) {
  /**
   * The quantile levels every numeric feature's statistics hold: p1, p5, p25, p50, p75, p95, p99.
   */
  public static final List<Double> QUANTILES = List.of(0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99);

  public FeatureStatistics {
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(type, "type");
    quantiles = List.copyOf(quantiles);
    Objects.requireNonNull(histogram, "histogram");
    if (!quantiles.isEmpty() && quantiles.size() != QUANTILES.size()) {
      throw new IllegalArgumentException(
          feature + ": " + quantiles.size() + " quantiles, not " + QUANTILES.size());
    }
  }

  /** The approximate value at level {@code q}, one of {@link #QUANTILES}. */
  public Double quantile(double q) {
    int i = QUANTILES.indexOf(q);
    if (i < 0) {
      throw new IllegalArgumentException(q + " is not one of " + QUANTILES);
    }
    return quantiles.isEmpty() ? null : quantiles.get(i);
  }

  /**
   * Counts of a numeric feature's values in fixed bins: bin {@code i} holds the values in {@code
   * [EDGES[i], EDGES[i+1])}, the first bin everything below {@code EDGES[1]} and the last
   * everything from its lower edge on. Only non-empty bins are kept. The edges are 0 and {@code ±m
   * × 10^k} for the mantissas 1, 1.5, 2, 3, 5 and 7 and {@code k} in -4..12: fine where values are
   * small, coarse where they are large, and the same for every feature and run.
   */
  public record Histogram(List<Bin> bins) {
    /** The fixed edges, ascending. */
    public static final double[] EDGES = edges();

    public Histogram {
      bins = List.copyOf(bins);
    }

    public static final Histogram EMPTY = new Histogram(List.of());

    /** One non-empty bin: its index into {@link #EDGES} and its count. */
    public record Bin(int index, long count) {
      public double lower() {
        return EDGES[index];
      }

      /** The upper edge (exclusive); infinite for the last bin. */
      public double upper() {
        return index + 1 < EDGES.length ? EDGES[index + 1] : Double.POSITIVE_INFINITY;
      }
    }

    /** The bin of a value: the last edge at or below it (the first bin for values below all). */
    public static int bin(double value) {
      int i = Arrays.binarySearch(EDGES, value);
      if (i >= 0) {
        return i;
      }
      int insertion = -i - 1;
      return Math.max(0, insertion - 1);
    }

    /** A histogram from dense counts (one per edge). */
    public static Histogram of(long[] counts) {
      List<Bin> bins = new ArrayList<>();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          bins.add(new Bin(i, counts[i]));
        }
      }
      return new Histogram(bins);
    }

    /** The counts of every bin, empty ones included. */
    public long[] dense() {
      long[] d = new long[EDGES.length];
      bins.forEach(b -> d[b.index()] += b.count());
      return d;
    }

    public long total() {
      return bins.stream().mapToLong(Bin::count).sum();
    }

    private static double[] edges() {
      double[] mantissas = {1, 1.5, 2, 3, 5, 7};
      List<Double> positive = new ArrayList<>();
      for (int k = -4; k <= 12; k++) {
        for (double m : mantissas) {
          positive.add(Double.parseDouble(m + "E" + k));
        }
      }
      double[] e = new double[positive.size() * 2 + 1];
      int n = positive.size();
      for (int i = 0; i < n; i++) {
        e[n - 1 - i] = -positive.get(i);
        e[n + 1 + i] = positive.get(i);
      }
      e[n] = 0;
      return e;
    }
  }
}
