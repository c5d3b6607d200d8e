package dev.strata.jobs.cli;

import dev.strata.offline.Skew;
import dev.strata.registry.DriftReport;
import java.util.List;
import java.util.Locale;

/**
 * The HTML page of {@code strata drift --html}: one self-contained file (inline styles, inline SVG
 * charts, a few lines of inline script; nothing fetched from anywhere) with, per feature, the
 * reference's and the current window's histograms overlaid on the reference's decile bins, PSI, KS
 * and JS each drawn against its threshold, and the served values' skew rates where there are any.
 */
final class QualityReport {
  private static final int W = 640;
  private static final int H = 220;
  private static final int LEFT = 48;
  private static final int BOTTOM = 40;

  private QualityReport() {}

  static String drift(DriftReport r, List<Skew.FeatureSkew> skew) {
    StringBuilder b = new StringBuilder(32_768);
    b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>Drift of ")
        .append(esc(r.view()))
        .append("</title><style>")
        .append(
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;"
                + "max-width:760px;color:#1d2330;padding:0 1em}"
                + "h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:0}"
                + ".meta{color:#5b6475;margin:0 0 1.2em}"
                + ".feature{border:1px solid #dfe3ea;border-radius:8px;padding:1em 1.2em;"
                + "margin:1em 0;background:#fff}"
                + ".badge{display:inline-block;font-size:.75em;padding:.1em .6em;border-radius:1em;"
                + "margin-left:.6em;vertical-align:middle;color:#fff}"
                + ".drift{background:#c8392b}.ok{background:#2e8540}"
                + "table{border-collapse:collapse;margin-top:.6em}"
                + "td,th{padding:.2em .8em .2em 0;text-align:left}"
                + ".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;"
                + "vertical-align:-.1em;border-radius:2px}"
                + ".hidden{display:none}label{cursor:pointer}")
        .append("</style></head><body>\n");
    b.append("<h1>Drift of ").append(esc(r.view())).append(" v").append(r.viewVersion());
    b.append("</h1><p class=\"meta\">Reference: ")
        .append(esc(r.reference()))
        .append(" &middot; current: ")
        .append(esc(r.current()))
        .append(" &middot; recorded ")
        .append(esc(r.recordedAt().toString()))
        .append("<br>Thresholds: PSI ")
        .append(num(r.thresholds().psi()))
        .append(", KS ")
        .append(num(r.thresholds().ks()))
        .append(", JS ")
        .append(num(r.thresholds().js()))
        .append(" bits. <strong id=\"summary\">")
        .append(r.drifted())
        .append(" of ")
        .append(r.features().size())
        .append(" features drifted.</strong></p>\n");
    b.append(
        "<p><label><input type=\"checkbox\" id=\"only-drifted\"> only features that"
            + " drifted</label></p>\n");
    for (DriftReport.FeatureDrift f : r.features()) {
      feature(b, f, r.thresholds(), skewOf(skew, f.feature()));
    }
    b.append(
        "<script>\n"
            + "(function () {\n"
            + "  var box = document.getElementById('only-drifted');\n"
            + "  var sections = document.querySelectorAll('section.feature');\n"
            + "  box.addEventListener('change', function () {\n"
            + "    sections.forEach(function (s) {\n"
            + "      s.classList.toggle('hidden', box.checked && s.dataset.drifted !== 'true');\n"
            + "    });\n"
            + "  });\n"
            + "  document.body.dataset.charts = document.querySelectorAll('svg.chart').length;\n"
            + "  document.body.dataset.ready = 'true';\n"
            + "})();\n"
            + "</script>\n");
    b.append("</body></html>\n");
    return b.toString();
  }

  private static Skew.FeatureSkew skewOf(List<Skew.FeatureSkew> skew, String feature) {
    for (Skew.FeatureSkew s : skew) {
      if (s.feature().equals(feature)) {
        return s;
      }
    }
    return null;
  }

  private static void feature(
      StringBuilder b,
      DriftReport.FeatureDrift f,
      DriftReport.Thresholds t,
      Skew.FeatureSkew skew) {
    b.append("<section class=\"feature\" data-feature=\"")
        .append(esc(f.feature()))
        .append("\" data-drifted=\"")
        .append(f.drifted())
        .append("\"><h2>")
        .append(esc(f.feature()))
        .append("<span class=\"badge ")
        .append(f.drifted() ? "drift\">drift" : "ok\">ok")
        .append("</span></h2>\n");
    chart(b, f);
    b.append("<div class=\"legend\"><span style=\"background:#3b6fd8\"></span>reference (")
        .append(f.referenceValues())
        .append(" values)<span style=\"background:#f28e2b\"></span>current (")
        .append(f.currentValues())
        .append(" values)</div>\n<table><tr><th>figure</th><th>value</th><th>threshold</th>")
        .append("<th></th></tr>\n");
    figure(b, "PSI", f.psi(), t.psi());
    figure(b, "KS", f.ks(), t.ks());
    figure(b, "JS (bits)", f.js(), t.js());
    b.append("</table>\n");
    if (skew != null) {
      b.append("<table class=\"skew\"><tr><th>served values</th><th>match</th>")
          .append("<th>missing online</th><th>missing offline</th><th>differ</th>")
          .append("<th>SMAPE</th></tr><tr><td>")
          .append(skew.values())
          .append("</td><td>")
          .append(pct(skew.matched(), skew.values()))
          .append("</td><td>")
          .append(pct(skew.missingOnline(), skew.values()))
          .append("</td><td>")
          .append(pct(skew.missingOffline(), skew.values()))
          .append("</td><td>")
          .append(pct(skew.differ(), skew.values()))
          .append("</td><td>")
          .append(Double.isNaN(skew.smape()) ? "-" : num(skew.smape()))
          .append("</td></tr></table>\n");
    }
    b.append("</section>\n");
  }

  /** Both sides' shares per bin, overlaid; the bins are the reference's deciles. */
  private static void chart(StringBuilder b, DriftReport.FeatureDrift f) {
    b.append("<svg class=\"chart\" role=\"img\" width=\"")
        .append(W)
        .append("\" height=\"")
        .append(H)
        .append("\" viewBox=\"0 0 ")
        .append(W)
        .append(' ')
        .append(H)
        .append("\" xmlns=\"http://www.w3.org/2000/svg\"><title>")
        .append(esc(f.feature()))
        .append(": reference and current histograms</title>");
    int bins = f.referenceBins().size();
    int plotW = W - LEFT - 10;
    int plotH = H - BOTTOM - 10;
    b.append(line(LEFT, 10, LEFT, 10 + plotH)).append(line(LEFT, 10 + plotH, W - 10, 10 + plotH));
    if (bins == 0) {
      b.append("<text x=\"")
          .append(LEFT + 10)
          .append("\" y=\"")
          .append(H / 2)
          .append("\" fill=\"#c8392b\">one side has no values</text></svg>\n");
      return;
    }
    double max = 0;
    double[] ref = new double[bins];
    double[] cur = new double[bins];
    for (int i = 0; i < bins; i++) {
      ref[i] =
          f.referenceValues() == 0 ? 0 : (double) f.referenceBins().get(i) / f.referenceValues();
      cur[i] = f.currentValues() == 0 ? 0 : (double) f.currentBins().get(i) / f.currentValues();
      max = Math.max(max, Math.max(ref[i], cur[i]));
    }
    max = max == 0 ? 1 : max;
    for (double tick : new double[] {0, max / 2, max}) {
      double y = 10 + plotH - tick / max * plotH;
      b.append("<text x=\"")
          .append(LEFT - 4)
          .append("\" y=\"")
          .append(num(y + 4))
          .append("\" font-size=\"10\" text-anchor=\"end\">")
          .append(String.format(Locale.ROOT, "%.0f%%", tick * 100))
          .append("</text>");
    }
    double step = (double) plotW / bins;
    for (int i = 0; i < bins; i++) {
      double x = LEFT + i * step;
      bar(
          b,
          x + step * 0.1,
          step * 0.8,
          ref[i] / max * plotH,
          plotH,
          "#3b6fd8",
          ref[i],
          "reference");
      bar(
          b,
          x + step * 0.25,
          step * 0.5,
          cur[i] / max * plotH,
          plotH,
          "#f28e2b",
          cur[i],
          "current");
      b.append("<text x=\"")
          .append(num(x + step / 2))
          .append("\" y=\"")
          .append(10 + plotH + 14)
          .append("\" font-size=\"9\" text-anchor=\"middle\">")
          .append(esc(binLabel(f.edges(), i)))
          .append("</text>");
    }
    b.append("<text x=\"")
        .append(LEFT + plotW / 2)
        .append("\" y=\"")
        .append(H - 6)
        .append("\" font-size=\"10\" text-anchor=\"middle\" fill=\"#5b6475\">")
        .append("bins: the reference's deciles</text></svg>\n");
  }

  private static void bar(
      StringBuilder b,
      double x,
      double w,
      double h,
      int plotH,
      String color,
      double share,
      String side) {
    b.append("<rect x=\"")
        .append(num(x))
        .append("\" y=\"")
        .append(num(10 + plotH - h))
        .append("\" width=\"")
        .append(num(w))
        .append("\" height=\"")
        .append(num(h))
        .append("\" fill=\"")
        .append(color)
        .append("\" fill-opacity=\"0.75\"><title>")
        .append(side)
        .append(String.format(Locale.ROOT, " %.1f%%", share * 100))
        .append("</title></rect>");
  }

  private static String binLabel(List<Double> edges, int i) {
    if (edges.isEmpty()) {
      return "all";
    }
    if (i == 0) {
      return "\u2264 " + shortNum(edges.get(0));
    }
    if (i >= edges.size()) {
      return "> " + shortNum(edges.get(edges.size() - 1));
    }
    return "\u2264 " + shortNum(edges.get(i));
  }

  /** A figure's value, its threshold, and a bar with the threshold marked. */
  private static void figure(StringBuilder b, String name, double value, double threshold) {
    int width = 220;
    double scale = Math.max(Double.isNaN(value) ? 0 : value, threshold) * 1.25;
    scale = scale == 0 ? 1 : scale;
    boolean over = !(value <= threshold);
    b.append("<tr><td>")
        .append(name)
        .append("</td><td>")
        .append(Double.isNaN(value) ? "no values" : num(value))
        .append("</td><td>")
        .append(num(threshold))
        .append("</td><td><svg class=\"gauge\" width=\"")
        .append(width)
        .append("\" height=\"14\" xmlns=\"http://www.w3.org/2000/svg\">")
        .append("<rect width=\"")
        .append(width)
        .append("\" height=\"14\" fill=\"#eef1f5\"/>");
    if (!Double.isNaN(value)) {
      b.append("<rect width=\"")
          .append(num(Math.min(width, value / scale * width)))
          .append("\" height=\"14\" fill=\"")
          .append(over ? "#c8392b" : "#2e8540")
          .append("\"/>");
    }
    double tx = threshold / scale * width;
    b.append("<line class=\"threshold\" x1=\"")
        .append(num(tx))
        .append("\" x2=\"")
        .append(num(tx))
        .append("\" y1=\"0\" y2=\"14\" stroke=\"#1d2330\" stroke-width=\"2\">")
        .append("<title>threshold ")
        .append(num(threshold))
        .append("</title></line></svg></td></tr>\n");
  }

  private static String line(int x1, int y1, int x2, int y2) {
    return "<line x1=\""
        + x1
        + "\" y1=\""
        + y1
        + "\" x2=\""
        + x2
        + "\" y2=\""
        + y2
        + "\" stroke=\"#8a93a5\"/>";
  }

  private static String pct(long part, long whole) {
    return String.format(Locale.ROOT, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
  }

  private static String num(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static String shortNum(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e9
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%.3g", v);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
