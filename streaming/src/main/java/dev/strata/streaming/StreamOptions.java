package dev.strata.streaming;

import dev.strata.errors.InvalidInputException;
import java.time.Duration;
import java.util.Optional;

/** How a stream runs: where it reads, its checkpoint, lateness, trigger and record format. */
public record StreamOptions(
    String bootstrap,
    String topic,
    Optional<String> checkpoint,
    Duration lateness,
    Optional<Duration> trigger,
    boolean availableNow,
    String startingOffsets,
    Optional<Long> maxOffsetsPerTrigger,
    RecordFormat format) {
  public StreamOptions {
    if (lateness.isNegative()) {
      throw new InvalidInputException("--lateness must not be negative: " + lateness);
    }
  }

  public static StreamOptions of(String bootstrap, String topic) {
    return new StreamOptions(
        bootstrap,
        topic,
        Optional.empty(),
        Duration.ofMinutes(10),
        Optional.empty(),
        false,
        "earliest",
        Optional.empty(),
        RecordFormat.JSON);
  }

  public StreamOptions availableNow(boolean b) {
    return new StreamOptions(
        bootstrap,
        topic,
        checkpoint,
        lateness,
        trigger,
        b,
        startingOffsets,
        maxOffsetsPerTrigger,
        format);
  }

  public StreamOptions checkpoint(String dir) {
    return new StreamOptions(
        bootstrap,
        topic,
        Optional.of(dir),
        lateness,
        trigger,
        availableNow,
        startingOffsets,
        maxOffsetsPerTrigger,
        format);
  }

  public StreamOptions maxOffsetsPerTrigger(long n) {
    return new StreamOptions(
        bootstrap,
        topic,
        checkpoint,
        lateness,
        trigger,
        availableNow,
        startingOffsets,
        Optional.of(n),
        format);
  }

  public StreamOptions format(RecordFormat f) {
    return new StreamOptions(
        bootstrap,
        topic,
        checkpoint,
        lateness,
        trigger,
        availableNow,
        startingOffsets,
        maxOffsetsPerTrigger,
        f);
  }

  public StreamOptions lateness(Duration d) {
    return new StreamOptions(
        bootstrap,
        topic,
        checkpoint,
        d,
        trigger,
        availableNow,
        startingOffsets,
        maxOffsetsPerTrigger,
        format);
  }
}
