package dev.strata.streaming;

import dev.strata.registry.RunTracker;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQueryListener;

/** Records each progress of the query in the run. */
final class StreamProgress extends StreamingQueryListener {
  private final RunTracker run;
  volatile java.util.UUID query;
  private long rows;
  private long dead;

  StreamProgress(RunTracker run) {
    this.run = run;
  }

  @Override
  public void onQueryStarted(QueryStartedEvent event) {}

  @Override
  public void onQueryProgress(QueryProgressEvent event) {
    var p = event.progress();
    if (query == null || !query.equals(p.id())) {
      return;
    }
    Row m = p.observedMetrics().get(FeatureStream.METRICS);
    if (m != null) {
      rows += m.isNullAt(0) ? 0 : m.getLong(0);
      dead += m.isNullAt(1) ? 0 : m.getLong(1);
    }
    Map<String, String> props = new LinkedHashMap<>();
    props.put("batch", Long.toString(p.batchId()));
    if (p.sources().length > 0 && p.sources()[0].endOffset() != null) {
      props.put("offsets", p.sources()[0].endOffset());
    }
    String watermark = p.eventTime().get("watermark");
    if (watermark != null) {
      props.put("watermark", watermark);
    }
    props.put("rows", Long.toString(rows));
    props.put("dead_letters", Long.toString(dead));
    run.progress(props);
  }

  @Override
  public void onQueryTerminated(QueryTerminatedEvent event) {}
}
