package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.FeatureView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redis URLs: parsed and checked up front, passwords honoured and never shown. */
class RedisEndpointTest {
  @Test
  void parsesUsersPasswordsDatabasesAndClusters() {
    RedisEndpoint e = RedisEndpoint.parse("redis://:s3cret@10.0.0.5:6380/2");
    assertThat(e.password()).isEqualTo("s3cret");
    assertThat(e.user()).isNull();
    assertThat(e.database()).isEqualTo(2);
    assertThat(e.nodes()).hasSize(1);
    assertThat(e.nodes().get(0).getPort()).isEqualTo(6380);
    assertThat(e.masked()).isEqualTo("redis://:***@10.0.0.5:6380/2").doesNotContain("s3cret");
    assertThat(e.toString()).doesNotContain("s3cret");
    RedisEndpoint acl = RedisEndpoint.parse("rediss://app:p%40ss@cache:6379");
    assertThat(acl.tls()).isTrue();
    assertThat(acl.user()).isEqualTo("app");
    assertThat(acl.password()).isEqualTo("p@ss");
    assertThat(acl.masked()).isEqualTo("rediss://app:***@cache:6379");
    RedisEndpoint cluster = RedisEndpoint.parse("redis-cluster://:pw@h1:7000,h2:7001");
    assertThat(cluster.cluster()).isTrue();
    assertThat(cluster.nodes()).hasSize(2);
    assertThat(RedisEndpoint.parse("redis://localhost").nodes().get(0).getPort()).isEqualTo(6379);
  }

  @Test
  void refusesBadUrlsWithoutEchoingPasswords() {
    assertThatThrownBy(() -> RedisEndpoint.parse("http://:pw@host:6379"))
        .hasMessageContaining("not a Redis URL")
        .hasMessageNotContaining(":pw@");
    assertThatThrownBy(() -> RedisEndpoint.parse("redis://h1:1,h2:2"))
        .hasMessageContaining("use redis-cluster://");
    assertThatThrownBy(() -> RedisEndpoint.parse("redis://:pw@host:6379/x"))
        .hasMessageContaining("database 'x'")
        .hasMessageNotContaining("pw");
    assertThatThrownBy(() -> RedisEndpoint.parse("redis://host:port"))
        .hasMessageContaining("no valid host:port");
    assertThatThrownBy(() -> RedisEndpoint.parse("")).hasMessageContaining("empty");
  }

  /** A row written to {@code store} reads back as present. */
  static void assertWritesAndReads(RedisOnlineStore store, String viewName) {
    FeatureView view = RedisOnlineStoreTest.view(viewName, Duration.ZERO);
    Object[] values = new Object[view.features().size()];
    store.write(
        view, 1, List.of(new RedisOnlineStore.OnlineRow(List.of(1L, "ATL"), 1_000_000L, values)));
    assertThat(
            store
                .read(view, 1, List.of(List.of(1L, "ATL")), Instant.ofEpochSecond(1))
                .get(0)
                .status())
        .isEqualTo(RedisOnlineStore.Status.PRESENT);
  }

  @Test
  void tlsWithAnAuthTokenAgainstARealTlsServer() throws Exception {
    try (RedisLauncher redis = RedisLauncher.tls("the-auth-token")) {
      String url = redis.url();
      assertThat(url).startsWith("rediss://:the-auth-token@127.0.0.1:").contains("?cacert=");
      try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
        store.check();
        assertThat(store.url()).doesNotContain("the-auth-token").startsWith("rediss://:***@");
        assertWritesAndReads(store, "tls_view");
      }
      String tail = url.substring(url.indexOf('@') + 1);
      // a wrong token: refused, and said so
      try (RedisOnlineStore wrong =
          RedisOnlineStore.connect(
              RedisEndpoint.parse("rediss://:wrong-token@" + tail), Duration.ofSeconds(2), 2)) {
        assertThatThrownBy(wrong::check)
            .hasMessageContaining("refused the credentials")
            .hasMessageNotContaining("wrong-token");
      }
      // TLS without the CA: the server's certificate is not trusted
      String hostPort = tail.substring(0, tail.indexOf('?'));
      try (RedisOnlineStore untrusted =
          RedisOnlineStore.connect(
              RedisEndpoint.parse("rediss://:the-auth-token@" + hostPort),
              Duration.ofSeconds(2),
              2)) {
        assertThat(untrusted.ping()).isFalse();
      }
      // plain text to the TLS port gets no answer
      try (RedisOnlineStore plain =
          RedisOnlineStore.connect(
              RedisEndpoint.parse("redis://:the-auth-token@" + hostPort),
              Duration.ofSeconds(2),
              2)) {
        assertThat(plain.ping()).isFalse();
      }
    }
    assertThatThrownBy(() -> RedisEndpoint.parse("redis://h:1?cacert=/x.pem"))
        .hasMessageContaining("not TLS");
    assertThatThrownBy(() -> RedisEndpoint.parse("rediss://:pw@h:1?verify=no"))
        .hasMessageContaining("the only one is cacert=PATH")
        .hasMessageNotContaining("pw@");
  }

  @Test
  void tlsToAClusterWithAnAuthToken() {
    try (RedisLauncher redis = RedisLauncher.clusterTls("cluster-token")) {
      String url = redis.url();
      assertThat(url).startsWith("rediss-cluster://:cluster-token@127.0.0.1:");
      FeatureView view = RedisOnlineStoreTest.view("tls_cluster_view", Duration.ZERO);
      Object[] values = new Object[view.features().size()];
      List<List<Object>> keys = new java.util.ArrayList<>();
      List<RedisOnlineStore.OnlineRow> rows = new java.util.ArrayList<>();
      for (long k = 0; k < 50; k++) { // spread over the three masters' slots
        keys.add(List.of(k, "K" + k));
        rows.add(new RedisOnlineStore.OnlineRow(List.of(k, "K" + k), 1_000_000L, values));
      }
      try (RedisOnlineStore store = RedisOnlineStore.connect(url)) {
        store.check();
        assertThat(store.url()).doesNotContain("cluster-token");
        store.write(view, 1, rows);
        assertThat(store.read(view, 1, keys, Instant.ofEpochSecond(1)))
            .hasSize(50)
            .allSatisfy(v -> assertThat(v.status()).isEqualTo(RedisOnlineStore.Status.PRESENT));
      }
      // a cluster client connects to its nodes at once: a wrong token fails there, clearly
      assertThatThrownBy(
              () ->
                  RedisOnlineStore.connect(
                      RedisEndpoint.parse(url.replace("cluster-token", "not-it")),
                      Duration.ofSeconds(2),
                      2))
          .hasMessageContaining("refused the credentials")
          .hasMessageNotContaining("not-it");
    }
  }

  @Test
  void honoursThePasswordAndSaysWhenItIsWrong() {
    try (RedisLauncher redis = RedisLauncher.single("right-pw")) {
      try (RedisOnlineStore store = RedisOnlineStore.connect(redis.url())) {
        store.check();
        assertThat(store.url()).doesNotContain("right-pw").contains(":***@");
        assertWritesAndReads(store, "pw_view");
      }
      String port = redis.url().substring(redis.url().lastIndexOf(':') + 1);
      try (RedisOnlineStore wrong =
          RedisOnlineStore.connect(
              RedisEndpoint.parse("redis://:wrong@127.0.0.1:" + port), Duration.ofSeconds(1), 2)) {
        assertThatThrownBy(wrong::check)
            .hasMessageContaining("refused the credentials")
            .hasMessageNotContaining("wrong@");
        assertThat(wrong.ping()).isFalse();
      }
      try (RedisOnlineStore none = RedisOnlineStore.connect("redis://127.0.0.1:" + port)) {
        assertThatThrownBy(none::check).hasMessageContaining("needs a password");
      }
    }
  }
}
