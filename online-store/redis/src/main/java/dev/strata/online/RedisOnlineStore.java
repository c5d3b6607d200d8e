package dev.strata.online;

import dev.strata.dsl.Feature;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ValueType;
import dev.strata.errors.InvalidInputException;
import dev.strata.errors.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.util.Pool;

/**
 * The online store on Redis or Redis Cluster, through Jedis; free of Spark and Spring.
 *
 * <p>Layout: one hash per view version and entity, key {@code st:{<entity key>}:<view>:v<n>}
 * ({@link EntityKey}; the braces are a hash tag, so that all views of one entity live in one
 * cluster slot), fields {@code t} (the event time, epoch micros, decimal) and {@code v} (the view's
 * feature values, {@link ValueCodec}). A write goes through a Lua script (up to 100 keys a call on
 * one server, one key a call on a cluster) that leaves a stored value alone when it has a newer
 * event time, so reruns and overlapping runs are idempotent. A value counts as expired once its
 * event time is older than the view's TTL (as of the reader's clock); Redis drops it one more TTL
 * later, and never sooner than one TTL after the write, so readers can tell expired from never
 * written and can read historical values as of a past instant.
 *
 * <pre>{@code
 * try (RedisOnlineStore store = RedisOnlineStore.connect("redis://127.0.0.1:6379")) {
 *   store.write(view, 3, rows);
 *   List<OnlineValue> values = store.read(view, 3, List.of(List.of("ATL")), Instant.now());
 * }
 * }</pre>
 *
 * <p>Over 400 lines because writes, deadline-bounded reads and the failure classification share one
 * key layout and one value codec, which must not drift apart.
 */
public final class RedisOnlineStore implements AutoCloseable {
  /**
   * Newer-wins writes of one or more keys: for key i, ARGV[3i-2..3i] are its event time (micros),
   * value bytes and expiry (epoch millis, 0 for none). A key whose stored event time is newer is
   * left alone. Returns how many keys were written.
   */
  static final String WRITE_SCRIPT =
      "local n = 0\n"
          + "for i = 1, #KEYS do\n"
          + "  local a = 3 * (i - 1)\n"
          + "  local cur = redis.call('HGET', KEYS[i], 't')\n"
          + "  if not cur or tonumber(cur) <= tonumber(ARGV[a + 1]) then\n"
          + "    redis.call('HSET', KEYS[i], 't', ARGV[a + 1], 'v', ARGV[a + 2])\n"
          + "    if ARGV[a + 3] == '0' then redis.call('PERSIST', KEYS[i])"
          + " else redis.call('PEXPIREAT', KEYS[i], ARGV[a + 3]) end\n"
          + "    n = n + 1\n"
          + "  end\n"
          + "end\n"
          + "return n";

  /**
   * Keys per script call on a single server. On a cluster each call takes one key, since a call's
   * keys must share a slot and the keys of different entities rarely do.
   */
  static final int KEYS_PER_CALL = 100;

  private static final byte[] SCRIPT = WRITE_SCRIPT.getBytes(StandardCharsets.UTF_8);

  /**
   * Writes call the script by its SHA-1; a server that has not seen it yet gets it once by EVAL.
   */
  private static final byte[] SCRIPT_SHA = sha1Hex(SCRIPT);

  private static final byte[] T = {'t'};
  private static final byte[] V = {'v'};

  /** Connect and socket timeout of every connection, and the longest wait for a pooled one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /** Pooled connections to a single server: Jedis's default. */
  public static final int DEFAULT_POOL_SIZE = 8;

  private final UnifiedJedis jedis;
  private final RedisEndpoint endpoint;
  private final int timeoutMillis;

  private RedisOnlineStore(UnifiedJedis jedis, RedisEndpoint endpoint, int timeoutMillis) {
    this.jedis = jedis;
    this.endpoint = endpoint;
    this.timeoutMillis = timeoutMillis;
  }

  /**
   * Connects to {@code redis://[:password@]host:port} (a single server), {@code
   * redis-cluster://host:port,host:port} (a cluster, any of its nodes) or their TLS forms ({@link
   * RedisEndpoint}), with {@link #DEFAULT_TIMEOUT}.
   */
  public static RedisOnlineStore connect(String url) {
    return connect(RedisEndpoint.parse(url), DEFAULT_TIMEOUT, DEFAULT_POOL_SIZE);
  }

  /**
   * Connects with the URL's user and password; {@code timeout} bounds connecting, each socket read
   * and the wait for a pooled connection, so a stalled Redis fails calls instead of hanging them;
   * {@code poolSize} connections at most (per node on a cluster).
   */
  public static RedisOnlineStore connect(RedisEndpoint endpoint, Duration timeout, int poolSize) {
    int millis = (int) Math.max(1, timeout.toMillis());
    DefaultJedisClientConfig config = RedisClients.config(endpoint, millis);
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxWait(Duration.ofMillis(millis));
    pool.setMaxTotal(poolSize);
    pool.setMaxIdle(poolSize);
    pool.setBlockWhenExhausted(true);
    if (endpoint.cluster()) {
      JedisCluster cluster;
      try {
        cluster = new JedisCluster(new HashSet<>(endpoint.nodes()), config, 5, pool);
      } catch (redis.clients.jedis.exceptions.JedisClusterOperationException e) {
        throw RedisClients.clusterRefused(endpoint, e);
      }
      return new RedisOnlineStore(cluster, endpoint, millis);
    }
    return new RedisOnlineStore(
        new JedisPooled(pool, endpoint.nodes().get(0), config), endpoint, millis);
  }

  /** The URL, password masked. */
  public String url() {
    return endpoint.masked();
  }

  /**
   * Connection-pool gauges: connections in use, idle, and callers waiting for one (zeros on a
   * cluster).
   */
  public record PoolStats(int active, int idle, int waiting) {}

  public PoolStats poolStats() {
    if (jedis instanceof JedisPooled p) {
      Pool<Connection> pool = p.getPool();
      return new PoolStats(pool.getNumActive(), pool.getNumIdle(), pool.getNumWaiters());
    }
    return new PoolStats(0, 0, 0);
  }

  public static String key(FeatureView view, int version, String entityKey) {
    return "st:{" + entityKey + "}:" + view.name() + ":v" + version;
  }

  static List<ValueType> types(FeatureView view) {
    List<ValueType> types = new ArrayList<>();
    for (Feature f : view.features()) {
      types.add(f.type());
    }
    return types;
  }

  /** One entity's latest values of a view, as materialized. */
  public record OnlineRow(List<?> key, long eventMicros, Object[] values) {}

  /** What a read found for one entity. */
  public record OnlineValue(Status status, Long eventMicros, Object[] values) {}

  public enum Status {
    PRESENT,
    NOT_FOUND,
    EXPIRED
  }

  /**
   * Writes the rows in one pipeline; a row older than what Redis holds for its key is skipped.
   * Values are in the view's feature order.
   *
   * @return how many rows were written (the rest were older than the stored values)
   */
  public long write(FeatureView view, int version, List<OnlineRow> rows) {
    try {
      return writeBatch(view, version, rows, true);
    } catch (JedisNoScriptException e) {
      // a server (or a cluster node) without the script: EVAL sends and caches it; rerunning the
      // whole batch is safe, since a write of the same event time changes nothing
      return writeBatch(view, version, rows, false);
    }
  }

  /**
   * Encodes and sends one script call at a time into the pipeline, so that Redis runs the first
   * calls while later ones are still being encoded; reads the answers once at the end.
   */
  private long writeBatch(FeatureView view, int version, List<OnlineRow> rows, boolean bySha) {
    List<ValueType> types = types(view);
    long ttlMicros = view.ttl().toNanos() / 1000;
    long nowMillis = System.currentTimeMillis();
    int perCall = jedis instanceof JedisCluster ? 1 : KEYS_PER_CALL;
    List<Response<Object>> responses = new ArrayList<>(rows.size() / perCall + 1);
    try (AbstractPipeline p = jedis.pipelined()) {
      for (int from = 0; from < rows.size(); from += perCall) {
        int to = Math.min(rows.size(), from + perCall);
        List<byte[]> keys = new ArrayList<>(to - from);
        List<byte[]> args = new ArrayList<>(3 * (to - from));
        for (OnlineRow r : rows.subList(from, to)) {
          keys.add(
              key(view, version, EntityKey.encode(view.joinKeys(), r.key()))
                  .getBytes(StandardCharsets.UTF_8));
          long expireAtMillis =
              ttlMicros == 0
                  ? 0
                  : Math.max(
                      nowMillis + ttlMicros / 1000, (r.eventMicros() + 2 * ttlMicros) / 1000);
          args.add(Long.toString(r.eventMicros()).getBytes(StandardCharsets.US_ASCII));
          args.add(ValueCodec.encode(types, r.values()));
          args.add(Long.toString(expireAtMillis).getBytes(StandardCharsets.US_ASCII));
        }
        responses.add(bySha ? p.evalsha(SCRIPT_SHA, keys, args) : p.eval(SCRIPT, keys, args));
      }
      p.sync();
    }
    long written = 0;
    JedisNoScriptException noScript = null;
    for (Response<Object> r : responses) {
      try {
        written += (Long) r.get();
      } catch (JedisNoScriptException e) {
        noScript = e;
      }
    }
    if (noScript != null) {
      throw noScript;
    }
    return written;
  }

  private static byte[] sha1Hex(byte[] script) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest(script);
      return HexFormat.of().formatHex(d).getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A read of one view for several entities: one pipeline. */
  public record ReadRequest(FeatureView view, int version, List<? extends List<?>> keys) {}

  /** Reads several views' values for their entities in one pipeline, as of {@code now}. */
  public List<List<OnlineValue>> read(List<ReadRequest> requests, Instant now) {
    return read(requests, now, System.nanoTime() + timeoutMillis * 1_000_000L);
  }

  /**
   * Reads as {@link #read(List, Instant)} does, failing with a {@link JedisConnectionException}
   * once {@code deadlineNanos} ({@link System#nanoTime()}) passes: the wait for a connection and
   * every socket read get only the time that is left. (On a cluster, the store's timeout bounds
   * each call instead.)
   */
  public List<List<OnlineValue>> read(List<ReadRequest> requests, Instant now, long deadlineNanos) {
    long nowMicros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    List<byte[]> keys = new ArrayList<>();
    for (ReadRequest q : requests) {
      for (List<?> k : q.keys()) {
        keys.add(
            key(q.view(), q.version(), EntityKey.encode(q.view().joinKeys(), k))
                .getBytes(StandardCharsets.UTF_8));
      }
    }
    List<List<byte[]>> replies = hmget(keys, deadlineNanos);
    List<List<OnlineValue>> out = new ArrayList<>(requests.size());
    int at = 0;
    for (ReadRequest q : requests) {
      FeatureView view = q.view();
      List<ValueType> types = types(view);
      long ttlMicros = view.ttl().toNanos() / 1000;
      List<OnlineValue> values = new ArrayList<>(q.keys().size());
      for (int n = 0; n < q.keys().size(); n++) {
        List<byte[]> fields = replies.get(at++);
        if (fields == null || fields.get(0) == null || fields.get(1) == null) {
          values.add(new OnlineValue(Status.NOT_FOUND, null, new Object[types.size()]));
          continue;
        }
        long ts = Long.parseLong(new String(fields.get(0), StandardCharsets.US_ASCII));
        if (ttlMicros > 0 && ts < nowMicros - ttlMicros) {
          values.add(new OnlineValue(Status.EXPIRED, ts, new Object[types.size()]));
        } else {
          values.add(new OnlineValue(Status.PRESENT, ts, ValueCodec.decode(types, fields.get(1))));
        }
      }
      out.add(values);
    }
    return out;
  }

  /**
   * {@code HMGET key t v} for every key, in one round trip, within the deadline. On a single server
   * the commands go straight onto a pooled connection (no per-call pipeline objects: this is the
   * serving hot path); on a cluster through a pipeline, with the store's timeout.
   */
  @SuppressWarnings("unchecked")
  private List<List<byte[]>> hmget(List<byte[]> keys, long deadlineNanos) {
    List<List<byte[]>> out = new ArrayList<>(keys.size());
    if (jedis instanceof JedisPooled) {
      withConnection(
          deadlineNanos,
          c -> {
            for (byte[] key : keys) {
              c.sendCommand(Protocol.Command.HMGET, key, T, V);
            }
            for (Object reply : c.getMany(keys.size())) {
              if (reply instanceof JedisDataException e) {
                throw e;
              }
              out.add((List<byte[]>) reply);
            }
          });
      return out;
    }
    List<Response<List<byte[]>>> responses = new ArrayList<>(keys.size());
    try (AbstractPipeline p = jedis.pipelined()) {
      for (byte[] key : keys) {
        responses.add(p.hmget(key, T, V));
      }
      p.sync();
    }
    responses.forEach(r -> out.add(r.get()));
    return out;
  }

  public List<OnlineValue> read(
      FeatureView view, int version, List<? extends List<?>> keys, Instant now) {
    return read(List.of(new ReadRequest(view, version, keys)), now).get(0);
  }

  /** Runs {@code work} on a connection of the single server's pool, within the deadline. */
  private void withConnection(long deadlineNanos, Consumer<Connection> work) {
    Pool<Connection> pool = ((JedisPooled) jedis).getPool();
    Connection c;
    try {
      c =
          pool.borrowObject(
              Duration.ofNanos(Math.max(1_000_000L, deadlineNanos - System.nanoTime())));
    } catch (JedisException e) {
      throw e;
    } catch (Exception e) {
      throw new DeadlineExceeded(
          "no Redis connection became free within the deadline (" + url() + ")", e);
    }
    try {
      c.setSoTimeout((int) Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000L));
      work.accept(c);
      if (!c.isBroken()) {
        c.setSoTimeout(timeoutMillis);
      }
    } finally {
      // borrowed from the pool directly (not through getResource), so handed back the same way
      if (c.isBroken()) {
        pool.returnBrokenResource(c);
      } else {
        pool.returnResource(c);
      }
    }
  }

  /** A call that ran out of its deadline (waiting for a connection, or for Redis's answer). */
  public static final class DeadlineExceeded extends JedisConnectionException {
    DeadlineExceeded(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Why a call to Redis failed, as far as a caller needs to tell it apart. */
  public enum Failure {
    /** The server wants a password and the URL gave none (NOAUTH). */
    NO_PASSWORD,
    /** The URL's user or password was refused (WRONGPASS). */
    WRONG_CREDENTIALS,
    /** The deadline or a socket timeout passed. */
    TIMEOUT,
    /** Anything else: Redis cannot be reached, or failed otherwise. */
    UNAVAILABLE
  }

  /** Classifies a Jedis failure (NOAUTH arrives as a plain data error, WRONGPASS as an ACL one). */
  public static Failure failure(JedisException e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("NOAUTH")) {
      return Failure.NO_PASSWORD;
    }
    if (e instanceof JedisAccessControlException || message.startsWith("WRONGPASS")) {
      return Failure.WRONG_CREDENTIALS;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof DeadlineExceeded || c instanceof java.net.SocketTimeoutException) {
        return Failure.TIMEOUT;
      }
    }
    return Failure.UNAVAILABLE;
  }

  /** Whether Redis answers a PING within {@code timeout}. */
  public boolean ping(Duration timeout) {
    try {
      if (jedis instanceof JedisCluster c) {
        return !c.getClusterNodes().isEmpty() && "PONG".equals(c.ping());
      }
      withConnection(System.nanoTime() + timeout.toNanos(), Connection::ping);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Whether Redis answers a PING within the store's timeout. */
  public boolean ping() {
    return ping(Duration.ofMillis(timeoutMillis));
  }

  /**
   * Checks that Redis answers and accepts the URL's credentials; the exception's message says which
   * of the two failed, for a clear error at start-up.
   *
   * @throws InvalidInputException when the URL's credentials are missing or refused
   * @throws UnavailableException when Redis cannot be reached
   */
  public void check() {
    try {
      if (jedis instanceof JedisCluster c) {
        c.ping();
      } else {
        jedis.ping();
      }
    } catch (JedisDataException e) {
      RuntimeException refused = RedisClients.credentialsRefused(url(), e, e);
      throw refused != null ? refused : e;
    } catch (JedisException e) {
      throw new UnavailableException(
          "Redis at " + url() + " cannot be reached: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    jedis.close();
  }
}
