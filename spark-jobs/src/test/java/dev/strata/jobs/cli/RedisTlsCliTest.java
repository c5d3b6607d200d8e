package dev.strata.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.offline.OfflineStore;
import dev.strata.offline.TableFormat;
import dev.strata.offline.Tables;
import dev.strata.offline.Warehouse;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The online store over TLS with an auth token, as ElastiCache runs it: a real redis-server with
 * TLS only (a test-made CA) and requirepass. {@code strata materialize} loads it through a {@code
 * rediss://} URL, the server jar (configured by its environment alone, as deploy/terraform runs it)
 * serves from it exactly the offline table's newest values, and a wrong token gets a clear one-line
 * error that does not echo it.
 */
class RedisTlsCliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant END = Instant.parse("2001-01-03T12:00:00Z");

  @TempDir Path dir;

  @Test
  void materializesOverTlsWithATokenAndServesTheOfflineValues() throws Exception {
    String registry = RegistryUrls.embedded(dir.resolve("registry"));
    String warehouse = dir.resolve("warehouse").toString();
    ok(registry, "apply", "-r", "flights");
    ok(
        registry,
        "backfill",
        "origin_delays",
        "--start",
        "2001-01-01",
        "--end",
        "2001-01-03",
        "--warehouse",
        warehouse);
    try (RedisLauncher redis = RedisLauncher.tls("tls-auth-token")) {
      String good = redis.url();
      String wrong = good.replace("tls-auth-token", "not-the-token");
      StrataCliTest.Result refused =
          StrataCliTest.against(
              registry,
              "materialize",
              "origin_delays",
              "--start",
              "2001-01-01T00:00:00Z",
              "--end",
              END.toString(),
              "--redis",
              wrong,
              "--warehouse",
              warehouse);
      assertThat(refused.code()).isNotZero();
      assertThat(refused.err().strip().lines())
          .singleElement()
          .asString()
          .contains("refused the credentials")
          .doesNotContain("not-the-token");
      ok(
          registry,
          "materialize",
          "origin_delays",
          "--start",
          "2001-01-01T00:00:00Z",
          "--end",
          END.toString(),
          "--redis",
          good,
          "--warehouse",
          warehouse);

      // the reference: each airport's newest row of the offline table at or before END
      SparkSession spark = SparkSession.active();
      List<Row> newest;
      try (RegistryStore r = JdbcRegistryStore.open(registry)) {
        var table =
            new OfflineStore(spark, r, Warehouse.of(warehouse))
                .location("origin_delays", 1, TableFormat.DELTA);
        newest =
            Tables.read(spark, table, Optional.empty())
                .filter(functions.col("origin").isin("ATL", "ORD", "DFW"))
                .filter(functions.col("feature_timestamp").leq(Timestamp.from(END)))
                .orderBy(functions.col("feature_timestamp").desc())
                .dropDuplicates("origin")
                .collectAsList();
      }
      assertThat(newest).hasSize(3);
      // configured as the deployment does it: by environment variables, nothing on its command line
      try (FeatureServerProcess server =
          FeatureServerProcess.startWithEnvironment(
              java.util.Map.of("STRATA_REDISURL", good, "STRATA_REGISTRYURL", registry),
              dir.resolve("server.log"))) {
        assertThat(server.process().info().commandLine().orElse(""))
            .doesNotContain("tls-auth-token");
        for (Row want : newest) {
          ObjectNode body = JSON.createObjectNode();
          body.putArray("features")
              .add("origin_delays:flights_1h")
              .add("origin_delays:avg_delay_1h");
          body.putObject("entities").putArray("origin").add(want.getString(0));
          body.put("as_of", END.toString());
          HttpResponse<String> answer =
              server.post("/v1/features/online", JSON.writeValueAsString(body));
          assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
          JsonNode row = JSON.readTree(answer.body()).get("rows").get(0);
          assertThat(row.get("statuses").get(0).asText()).isEqualTo("PRESENT");
          assertThat(row.get("values").get(0).asLong())
              .as(want.getString(0))
              .isEqualTo(want.getLong(want.fieldIndex("flights_1h")));
          Object avg = want.get(want.fieldIndex("avg_delay_1h"));
          if (avg == null) {
            assertThat(row.get("values").get(1).isNull()).isTrue();
          } else {
            assertThat(row.get("values").get(1).asDouble()).isEqualTo((Double) avg);
          }
        }
      }
    }
  }

  private static void ok(String registry, String verb, String... rest) {
    StrataCliTest.Result r = StrataCliTest.against(registry, verb, rest);
    assertThat(r.code()).as(verb + ": " + r.out() + r.err()).isZero();
  }
}
