package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.offline.Skew;
import dev.strata.registry.DriftReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift report's HTML in headless Chromium: it renders, its script runs, it has a chart per
 * feature with both sides' bars, every threshold is marked, and the console stays empty; a page
 * with a broken script shows that console errors would be caught. The page fetches nothing: no URL
 * in it but the SVG namespace.
 */
class QualityReportTest {
  @TempDir Path dir;

  static DriftReport report() {
    return new DriftReport(
        "r1",
        Instant.parse("2026-11-26T12:00:00Z"),
        "route_stats",
        2,
        "2001-01-08..2001-01-14",
        "served 2026-11-26..2026-11-26",
        DriftReport.Thresholds.DEFAULTS,
        List.of(
            new DriftReport.FeatureDrift(
                "route_avg_delay_7d",
                1000,
                800,
                1.73,
                0.61,
                0.42,
                true,
                List.of(-2.0, 0.5, 3.0, 7.25),
                List.of(200L, 200L, 200L, 200L, 200L),
                List.of(10L, 20L, 30L, 40L, 700L)),
            new DriftReport.FeatureDrift(
                "route_distance",
                1000,
                800,
                0.001,
                0.01,
                0.002,
                false,
                List.of(300.0, 800.0),
                List.of(330L, 340L, 330L),
                List.of(260L, 270L, 270L)),
            new DriftReport.FeatureDrift(
                "route_late_share_30d",
                1000,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                true,
                List.of(),
                List.of(),
                List.of())));
  }

  @Test
  void theReportRendersAChartPerFeatureWithoutConsoleErrors() throws Exception {
    List<Skew.FeatureSkew> skew =
        List.of(
            new Skew.FeatureSkew("route_stats", 2, "route_avg_delay_7d", 800, 797, 1, 0, 2, 0.004));
    String html = QualityReport.drift(report(), skew);
    Path page = dir.resolve("report.html");
    Files.writeString(page, html);

    // self-contained: no link, script source, stylesheet or image from anywhere
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
        .doesNotContainPattern("(?i)(https?:|//[a-z])");
    assertThat(html).doesNotContain("<link").doesNotContain(" src=");

    HeadlessChromium.Page p = HeadlessChromium.open(page);
    assertThat(p.console()).as("console messages").isEmpty();
    assertThat(p.dom()).contains("data-ready=\"true\"").contains("data-charts=\"3\"");
    for (String f : List.of("route_avg_delay_7d", "route_distance", "route_late_share_30d")) {
      assertThat(p.dom()).contains("data-feature=\"" + f + "\"");
    }
    // five bins a side for the first feature, three for the second; the third has none
    assertThat(count(p.dom(), "fill=\"#3b6fd8\"")).isEqualTo(5 + 3);
    assertThat(count(p.dom(), "fill=\"#f28e2b\"")).isEqualTo(5 + 3);
    assertThat(count(p.dom(), "class=\"threshold\"")).isEqualTo(9);
    assertThat(p.dom()).contains("one side has no values").contains("99.63%");
    assertThat(p.dom()).contains("2 of 3 features drifted");
  }

  @Test
  void aBrokenScriptWouldBeCaught() throws Exception {
    Path page = dir.resolve("broken.html");
    Files.writeString(
        page, "<!DOCTYPE html><html><body><script>notDefinedAnywhere();</script></body></html>");
    assertThat(HeadlessChromium.open(page).console())
        .anySatisfy(l -> assertThat(l).contains("notDefinedAnywhere"));
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
