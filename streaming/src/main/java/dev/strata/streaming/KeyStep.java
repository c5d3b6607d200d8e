package dev.strata.streaming;

import dev.strata.offline.StreamSweep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapGroupsWithStateFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.streaming.GroupState;

/**
 * One key's step in a micro-batch, in Spark's state store: its new events are checked against the
 * watermark (older ones are late: dead letters), joined to the key's retained events, and swept to
 * the watermark, or to the later bound its own newest event sets ({@link #finalBefore}, {@link
 * StreamSweep#advance}). A key with nothing left to emit later leaves no state; one with a point
 * still to come asks to be called when the watermark passes it, even if no event of it arrives.
 *
 * <p>Input rows: the sweep's event layout, then the reason the record is a dead letter (null for a
 * good one), its Kafka value, topic, partition, offset and timestamp. Output rows: {@link
 * FeatureStream#outputSchema}.
 */
final class KeyStep implements FlatMapGroupsWithStateFunction<Row, Row, StreamState, Row> {
  private static final long serialVersionUID = 1L;

  static final int POINT = 0;
  static final int DEAD = 1;

  private final StreamSweep sweep;
  private final String lateness;
  private final long latenessMillis;

  KeyStep(StreamSweep sweep, Duration lateness) {
    this.sweep = sweep;
    this.lateness = lateness.toString();
    this.latenessMillis = lateness.toMillis();
  }

  @Override
  public Iterator<Row> call(Row key, Iterator<Row> rows, GroupState<StreamState> state) {
    long watermark = Math.multiplyExact(state.getCurrentWatermarkMs(), 1000L);
    StreamState s = state.exists() ? state.get() : new StreamState();
    List<Row> events = s.events();
    List<Row> out = new ArrayList<>();
    int width = sweep.eventWidth();
    int pointWidth = sweep.pointSchema().size();
    int ts = sweep.timeIndex();
    long newest = Long.MIN_VALUE;
    while (rows.hasNext()) {
      Row r = rows.next();
      String reason = r.isNullAt(width) ? null : r.getString(width);
      if (reason == null && r.getLong(ts) < watermark) {
        reason =
            "late: event time "
                + instant(r.getLong(ts))
                + " is before the watermark "
                + instant(watermark)
                + " (lateness "
                + lateness
                + ")";
      }
      if (reason != null) {
        out.add(dead(r, reason, width, pointWidth, ts));
      } else {
        events.add(r);
        newest = Math.max(newest, r.getLong(ts));
      }
    }
    StreamSweep.Step step = sweep.advance(events, s.nextPoint(), finalBefore(watermark, newest));
    for (Row p : step.rows()) {
      Object[] o = new Object[1 + pointWidth + 7];
      o[0] = POINT;
      for (int i = 0; i < pointWidth; i++) {
        o[1 + i] = p.get(i);
      }
      out.add(RowFactory.create(o));
    }
    if (step.finalAt().isPresent()) {
      state.update(new StreamState(step.nextPoint(), step.retained(), width));
      state.setTimeoutTimestamp(Math.floorDiv(step.finalAt().getAsLong(), 1000L));
    } else if (state.exists()) {
      state.remove();
    }
    return out.iterator();
  }

  /**
   * The time (micros) before which this key's points are final now: the watermark, or later when
   * the key's own newest event in this batch says so. Spark sets the next batch's watermark to the
   * batch's newest event time (in whole milliseconds, as it counts) less the lateness, never less
   * than this key's newest: an event before that bound that comes later is late, a dead letter, and
   * never feeds a point. So the points before it need not wait a batch for Spark's watermark to
   * move: the key emits them now (a point's value reaches Redis a batch sooner).
   */
  long finalBefore(long watermark, long newest) {
    if (newest == Long.MIN_VALUE) {
      return watermark;
    }
    long own = Math.multiplyExact(newest / 1000 - latenessMillis, 1000L);
    return Math.max(watermark, own);
  }

  private static Row dead(Row r, String reason, int width, int pointWidth, int ts) {
    Object[] o = new Object[1 + pointWidth + 7];
    o[0] = DEAD;
    int at = 1 + pointWidth;
    o[at] = reason;
    for (int i = 1; i <= 5; i++) {
      o[at + i] = r.get(width + i); // value, topic, partition, offset, Kafka timestamp
    }
    o[at + 6] = r.isNullAt(ts) ? null : r.getLong(ts);
    return RowFactory.create(o);
  }

  private static String instant(long micros) {
    return Instant.EPOCH.plusNanos(Math.multiplyExact(micros, 1000L)).toString();
  }
}
