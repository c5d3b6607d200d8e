package dev.strata.server;

import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The served-feature log as records of a Kafka topic: one record per logged request, keyed by the
 * request id, its value the request's JSON line (without the newline). The producer is idempotent
 * and waits for all in-sync replicas, so a record the broker acknowledged is there once. Sends are
 * asynchronous: a record the broker refuses, or that cannot be sent within the delivery timeout, is
 * counted as failed and logged (the first, then every 10,000th), never retried without bound. A
 * send blocks the writer thread (never a request) for at most a second while the broker is away;
 * meanwhile the log's queue fills and drops what it cannot hold.
 */
final class KafkaLogSink extends LogSink {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaLogSink.class);

  private final String topic;
  private final String bootstrap;
  private final KafkaProducer<String, byte[]> producer;

  KafkaLogSink(String bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "strata-feature-log");
    try {
      this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    } catch (KafkaException e) {
      throw new IllegalStateException(
          "strata.feature-log.kafka.bootstrap " + bootstrap + ": " + e.getMessage(), e);
    }
  }

  @Override
  void write(String requestId, byte[] line) {
    byte[] value = Arrays.copyOf(line, line.length - 1); // a record needs no newline
    try {
      producer.send(
          new ProducerRecord<>(topic, requestId, value),
          (meta, e) -> {
            if (e == null) {
              logged.incrementAndGet();
            } else {
              failed(e);
            }
          });
    } catch (KafkaException e) { // no metadata or no buffer space within max.block.ms
      failed(e);
    }
  }

  private void failed(Exception e) {
    long n = failed.incrementAndGet();
    if (n == 1 || n % 10_000 == 0) {
      LOG.error(
          "served-feature log: {} requests not sent to Kafka topic '{}' at {}, latest: {}",
          n,
          topic,
          bootstrap,
          e.toString());
    }
  }

  @Override
  void flush() {
    // the producer sends within linger.ms; a flush here would wait for the broker on each batch
  }

  /** Sends what is buffered (10 s at most) and closes the producer. */
  @Override
  public void close() {
    producer.close(Duration.ofSeconds(10));
  }
}
