package dev.strata.jobs.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.jobs.cli.CliProcess;
import dev.strata.jobs.cli.FeatureServerProcess;
import dev.strata.offline.StrataSpark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata quickstart --stream}, as the README runs it (a day in 10 s here): it starts its
 * broker, Redis and server, and the last ATL values it prints over REST are the hand-counted ones
 * of the sample: the flights out of ATL in the hour before the printed point, and their mean delay.
 */
class StreamDemoTest {
  static final Pattern LINE =
      Pattern.compile("\\| (\\S+Z)  flights_1h=(\\S+)  avg_delay_1h=(\\S+)$", Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void theDemoFollowsAtlOverRestToTheDaysLastHour() throws Exception {
    Path sample = Path.of("../data/flights-sample.parquet").toAbsolutePath().normalize();
    Process p =
        CliProcess.start(
            dir,
            List.of(
                "-Dstrata.server.jar=" + FeatureServerProcess.jar().toAbsolutePath(),
                "-Dstrata.kafka.classpath=" + System.getProperty("strata.kafka.classpath"),
                "-Dstrata.flights.path=" + sample),
            "quickstart",
            "--stream",
            "--speed",
            "8640");
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the demo ends within 5 minutes").isTrue();
    String out = Files.readString(dir.resolve("child.out"));
    assertThat(p.exitValue()).as(out + Files.readString(dir.resolve("child.err"))).isZero();
    assertThat(out).contains("Kafka broker (KRaft)", "ATL served over REST", "0 dead letters");

    Matcher m = LINE.matcher(out);
    String point = null;
    String flights = null;
    String delay = null;
    int lines = 0;
    while (m.find()) {
      point = m.group(1);
      flights = m.group(2);
      delay = m.group(3);
      lines++;
    }
    assertThat(lines).as(out).isGreaterThanOrEqualTo(2);
    Instant at = Instant.parse(point);
    assertThat(at).isAfterOrEqualTo(Instant.parse("2001-01-02T23:00:00Z"));

    // the reference: ATL's flights in [at - 1h, at), counted by hand from the sample
    SparkSession spark =
        StrataSpark.configure(SparkSession.builder(), dir.resolve("warehouse"))
            .master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .getOrCreate();
    long n = 0;
    long sum = 0;
    for (Row r : spark.read().parquet(sample.toString()).filter("origin = 'ATL'").collectAsList()) {
      Object d = r.getAs("date");
      Instant t =
          d instanceof LocalDateTime l
              ? l.toInstant(ZoneOffset.UTC)
              : ((java.sql.Timestamp) d).toInstant();
      if (!t.isBefore(at.minus(Duration.ofHours(1))) && t.isBefore(at)) {
        n++;
        sum += ((Number) r.getAs("delay")).longValue();
      }
    }
    assertThat(n).isPositive();
    assertThat(Long.parseLong(flights)).isEqualTo(n);
    assertThat(Double.parseDouble(delay))
        .isCloseTo((double) sum / n, org.assertj.core.data.Offset.offset(1e-9));
  }
}
