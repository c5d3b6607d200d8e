package dev.strata.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What a person sees of a long job: its phases, its tasks and rows, the time since it started. */
@ExtendWith(SharedSparkSession.class)
class ProgressTest {
  @Test
  void outsideATerminalEachPhaseIsAPlainLineAndTheEndSaysDone(SparkSession spark) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress p = Progress.start(spark, "job", out, false)) {
      Progress.phase(spark, "count a range");
      assertThat(spark.range(0, 1000, 1, 2).count()).isEqualTo(1000);
      Progress.phase(spark, "count again");
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).doesNotContain("\r");
    // (a stage that took over 2 s would add a line of its own)
    assertThat(text.split("\n")).allMatch(l -> l.matches("\\[job +\\d+\\.\\ds] .*"));
    assertThat(text).contains("] count a range\n").contains("] count again\n").endsWith("] done\n");
    // the phase is Spark's job description, as the Spark UI shows it
    assertThat(spark.sparkContext().getLocalProperty("spark.job.description"))
        .isEqualTo("count again");
  }

  @Test
  void onATerminalItIsOneLineRewrittenInPlaceAndCountsTheRowsWritten(
      SparkSession spark, @TempDir Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    try (Progress p = Progress.start(spark, "job", out, true)) {
      Progress.phase(spark, "write");
      spark.range(0, 1000, 1, 2).write().parquet(dir.resolve("t").toString());
      // listener events arrive asynchronously; what the line says once they all have
      spark.sparkContext().listenerBus().waitUntilEmpty();
      assertThat(p.status())
          .matches("\\[job +\\d+\\.\\ds\\] write(, 1,000 rows read)?, 1,000 written");
    }
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).startsWith("\r[job").contains("] write").matches("(?s).*\\] done *\n");
    assertThat(text.chars().filter(c -> c == '\n').count()).isEqualTo(1);
  }

  @Test
  void aFailedJobGetsNoDoneLine(SparkSession spark) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress p = Progress.start(spark, "job", out, false);
    Progress.phase(spark, "read");
    p.end(false);
    p.close(); // ending twice changes nothing
    assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("] read\n").doesNotContain("done");
  }

  @Test
  void aClosedProgressNoLongerReports(SparkSession spark) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Progress.start(spark, "job", out, false).close();
    int before = bytes.size();
    Progress.phase(spark, "after the end");
    spark.range(10).count();
    assertThat(bytes.size()).isEqualTo(before);
  }
}
