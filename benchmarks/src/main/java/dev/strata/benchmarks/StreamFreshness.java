package dev.strata.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.streaming.FeatureStream;
import dev.strata.streaming.StreamBackground;
import dev.strata.streaming.StreamOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Stream freshness: events are produced at a fixed rate, each with the wall clock as its event
 * time, while the stream runs with Spark's default trigger and the feature server answers over
 * REST. A poller asks the server for a sample of keys every {@link #POLL} and notes when each key's
 * served row moves to a new cadence point {@code p}. All the events that point counts were produced
 * before {@code p}, so {@code seen - p} is the time from the last event it holds to its value being
 * servable: the figure reported (p50, p99, max). The lateness is 0 (the events are in order); a
 * stream with lateness L serves L later.
 */
final class StreamFreshness {
  private StreamFreshness() {}

  static final Duration POLL = Duration.ofMillis(50);

  /** One rate's figures, in milliseconds. */
  record Result(
      int rate, long produced, int samples, double p50, double p99, double max, long batches) {}

  /**
   * Streams {@code view} from a new topic fed at {@code rate} events/s for {@code warmup} plus
   * {@code measure}, polling {@code sample} keys on the server at {@code port}; samples are the
   * points reached in the measured part.
   */
  static Result run(
      FeatureStream stream,
      String bootstrap,
      String topic,
      String view,
      int rate,
      int keys,
      int sample,
      int port,
      Duration warmup,
      Duration measure)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong produced = new AtomicLong();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread producer =
        new Thread(() -> produce(bootstrap, topic, rate, keys, stop, produced, failed), "producer");
    producer.start();
    StreamBackground running =
        stream.start(view, StreamOptions.of(bootstrap, topic).lateness(Duration.ZERO));
    List<Double> lags = new ArrayList<>();
    FeatureStream.Result result;
    try {
      Instant from = Instant.now().plus(warmup);
      Instant until = from.plus(measure);
      poll(port, view, keys, sample, from, until, lags, failed, running);
    } finally {
      stop.set(true);
      producer.join();
      result = running.stop();
    }
    if (failed.get() != null) {
      throw new IllegalStateException(
          "freshness run at " + rate + " events/s failed", failed.get());
    }
    if (lags.isEmpty()) {
      throw new IllegalStateException("no point was served at " + rate + " events/s");
    }
    Collections.sort(lags);
    return new Result(
        rate,
        produced.get(),
        lags.size(),
        percentile(lags, 0.50),
        percentile(lags, 0.99),
        lags.get(lags.size() - 1),
        result.batches());
  }

  static double percentile(List<Double> sorted, double q) {
    int i = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  /** Events at {@code rate} per second, in slices every 10 ms, each timed by the wall clock. */
  private static void produce(
      String bootstrap,
      String topic,
      int rate,
      int keys,
      AtomicBoolean stop,
      AtomicLong produced,
      AtomicReference<Throwable> failed) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    try (KafkaProducer<String, String> out = new KafkaProducer<>(p)) {
      long start = System.nanoTime();
      long sent = 0;
      while (!stop.get()) {
        long due = (System.nanoTime() - start) * rate / 1_000_000_000L;
        for (; sent < due; sent++) {
          out.send(
              new ProducerRecord<>(
                  topic,
                  "{\"sensor\":\"s"
                      + (sent % keys)
                      + "\",\"at\":\""
                      + Instant.now()
                      + "\",\"x\":"
                      + (sent % 97)
                      + "}"));
        }
        produced.set(sent);
        Thread.sleep(10);
      }
    } catch (Throwable t) {
      failed.compareAndSet(null, t);
    }
  }

  /** Polls the first {@code sample} keys until {@code until}; each new point seen is a lag. */
  private static void poll(
      int port,
      String view,
      int keys,
      int sample,
      Instant from,
      Instant until,
      List<Double> lags,
      AtomicReference<Throwable> failed,
      StreamBackground running)
      throws Exception {
    ObjectMapper json = new ObjectMapper();
    StringBuilder ids = new StringBuilder();
    for (int k = 0; k < sample; k++) {
      ids.append(k == 0 ? "" : ",").append("\"s").append(k * (keys / sample)).append('"');
    }
    String body = "{\"features\":[\"" + view + ":n_1m\"],\"entities\":{\"sensor\":[" + ids + "]}}";
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/features/online"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    Map<Integer, String> last = new HashMap<>();
    while (Instant.now().isBefore(until) && failed.get() == null && running.failure().isEmpty()) {
      long next = System.nanoTime() + POLL.toNanos();
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      Instant seen = Instant.now();
      if (r.statusCode() != 200) {
        throw new IllegalStateException("the server answered " + r.statusCode() + ": " + r.body());
      }
      JsonNode rows = json.readTree(r.body()).get("rows");
      for (int k = 0; k < rows.size(); k++) {
        JsonNode t = rows.get(k).get("event_timestamps").get(0);
        if (t.isNull() || t.asText().equals(last.get(k))) {
          continue;
        }
        last.put(k, t.asText());
        Instant point = Instant.parse(t.asText());
        if (!point.isBefore(from)) {
          lags.add(Duration.between(point, seen).toNanos() / 1e6);
        }
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
    }
  }
}
