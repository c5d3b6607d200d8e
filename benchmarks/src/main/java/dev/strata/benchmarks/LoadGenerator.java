package dev.strata.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A small load generator: a number of connections, each on its own thread, either at a fixed rate
 * (open loop: each call has an intended start time, and its latency counts from that time, so a
 * slow answer also delays and charges the calls queued behind it) or as fast as answers come
 * (closed loop, for the peak rate).
 */
final class LoadGenerator {
  private LoadGenerator() {}

  /** One connection's way of making call number {@code i}; throws when the answer is wrong. */
  interface Client extends AutoCloseable {
    void call(long i) throws Exception;

    @Override
    default void close() throws Exception {}
  }

  interface ClientFactory {
    Client open() throws Exception;
  }

  /** Latencies of one run, in nanoseconds, and what it achieved. */
  record Result(long calls, long errors, double seconds, long[] latencies) {
    double rate() {
      return calls / seconds;
    }

    double percentileMillis(double p) {
      if (latencies.length == 0) {
        return Double.NaN;
      }
      int idx = (int) Math.ceil(p / 100.0 * latencies.length) - 1;
      return latencies[Math.max(0, Math.min(latencies.length - 1, idx))] / 1e6;
    }
  }

  /** {@code rate} calls per second in all over {@code connections}, for {@code seconds}. */
  static Result fixedRate(ClientFactory factory, int connections, double rate, double seconds)
      throws Exception {
    return run(factory, connections, rate, seconds);
  }

  /** Back-to-back calls on every connection for {@code seconds}. */
  static Result closedLoop(ClientFactory factory, int connections, double seconds)
      throws Exception {
    return run(factory, connections, 0, seconds);
  }

  private static Result run(ClientFactory factory, int connections, double rate, double seconds)
      throws Exception {
    List<Client> clients = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      clients.add(factory.open());
    }
    long[][] lat = new long[connections][];
    int[] counts = new int[connections];
    AtomicLong errors = new AtomicLong();
    long start = System.nanoTime() + 20_000_000L;
    long end = start + (long) (seconds * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      int conn = c;
      Thread t =
          new Thread(
              () -> {
                Client client = clients.get(conn);
                long[] mine = new long[1 << 16];
                int n = 0;
                long interval = rate > 0 ? (long) (1e9 * connections / rate) : 0;
                long intended = start + (rate > 0 ? (long) (1e9 * conn / rate) : 0);
                long i = conn;
                while (true) {
                  long now = System.nanoTime();
                  if (rate > 0) {
                    if (intended >= end) {
                      break;
                    }
                    while ((now = System.nanoTime()) < intended) {
                      LockSupport.parkNanos(intended - now);
                    }
                  } else {
                    if (now >= end) {
                      break;
                    }
                    intended = Math.max(now, start);
                    while ((now = System.nanoTime()) < intended) {
                      LockSupport.parkNanos(intended - now);
                    }
                  }
                  try {
                    client.call(i);
                  } catch (Exception e) {
                    errors.incrementAndGet();
                  }
                  long done = System.nanoTime();
                  if (n == mine.length) {
                    mine = Arrays.copyOf(mine, n * 2);
                  }
                  mine[n++] = done - intended;
                  intended += interval;
                  i += connections;
                }
                lat[conn] = mine;
                counts[conn] = n;
              },
              "load-" + c);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    for (Client c : clients) {
      c.close();
    }
    int total = 0;
    for (int n : counts) {
      total += n;
    }
    long[] all = new long[total];
    int at = 0;
    for (int c = 0; c < connections; c++) {
      System.arraycopy(lat[c], 0, all, at, counts[c]);
      at += counts[c];
    }
    Arrays.sort(all);
    double elapsed = Math.max(seconds, (System.nanoTime() - start) / 1e9);
    return new Result(total, errors.get(), elapsed, all);
  }

  /**
   * An HTTP/1.1 keep-alive connection that posts JSON bodies (body {@code i % n} for call i) and
   * reads each answer whole (Content-Length or chunked); a status other than 200 is an error.
   */
  static final class HttpClient implements Client {
    private final String host;
    private final int port;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[][] requests;

    /** Connections the server closed (it may limit requests per connection); each one reopened. */
    int reconnects;

    HttpClient(String host, int port, String path, List<String> bodies) throws IOException {
      this.host = host;
      this.port = port;
      connect();
      requests = new byte[bodies.size()][];
      for (int i = 0; i < bodies.size(); i++) {
        byte[] body = bodies.get(i).getBytes(StandardCharsets.UTF_8);
        byte[] head =
            ("POST "
                    + path
                    + " HTTP/1.1\r\nHost: "
                    + host
                    + ":"
                    + port
                    + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        requests[i] = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, requests[i], head.length, body.length);
      }
    }

    private void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
    }

    @Override
    public void call(long i) throws IOException {
      out.write(requests[(int) (i % requests.length)]);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        readAnswer();
        throw new IOException("answer " + status);
      }
      readAnswer();
    }

    /** The last answer's body, for checks. */
    String lastBody = "";

    private void readAnswer() throws IOException {
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      String h;
      while (!(h = line()).isEmpty()) {
        String lower = h.toLowerCase();
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      StringBuilder body = new StringBuilder();
      if (chunked) {
        while (true) {
          int size = Integer.parseInt(line().trim(), 16);
          if (size == 0) {
            line();
            break;
          }
          body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
          line();
        }
      } else if (length >= 0) {
        body.append(new String(in.readNBytes((int) length), StandardCharsets.UTF_8));
      }
      lastBody = body.toString();
      if (close) {
        socket.close();
        reconnects++;
        connect();
      }
    }

    private String line() throws IOException {
      StringBuilder sb = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new IOException("connection closed");
        }
        if (b != '\r') {
          sb.append((char) b);
        }
      }
      return sb.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
