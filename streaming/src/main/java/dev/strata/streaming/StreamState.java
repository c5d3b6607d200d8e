package dev.strata.streaming;

import dev.strata.offline.StreamSweep;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * What a stream keeps per key between micro-batches (in Spark's state store, checkpointed): the
 * first cadence point not emitted yet, and the events that later points still read, in the sweep's
 * event layout. Memory per key is the events inside the view's longest window.
 */
public final class StreamState implements Serializable {
  private static final long serialVersionUID = 1L;

  private long nextPoint = StreamSweep.NO_POINT;
  private ArrayList<Object[]> events = new ArrayList<>();

  public StreamState() {}

  StreamState(long nextPoint, List<Row> retained, int width) {
    this.nextPoint = nextPoint;
    this.events = new ArrayList<>(retained.size());
    for (Row r : retained) {
      Object[] o = new Object[width];
      for (int i = 0; i < width; i++) {
        o[i] = r.get(i);
      }
      events.add(o);
    }
  }

  long nextPoint() {
    return nextPoint;
  }

  List<Row> events() {
    List<Row> rows = new ArrayList<>(events.size());
    for (Object[] o : events) {
      rows.add(RowFactory.create(o));
    }
    return rows;
  }
}
