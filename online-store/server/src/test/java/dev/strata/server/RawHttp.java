package dev.strata.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, byte for byte as written: no client normalises the path, checks the
 * escapes or fixes the framing, so tests can send what an attacker or a broken client sends.
 */
final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Reply(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        return null;
      }
    }

    boolean isProblem() {
      JsonNode j = json();
      return contentType.startsWith("application/problem+json")
          && j != null
          && j.path("status").asInt() == status;
    }
  }

  private RawHttp() {}

  /** A request with a JSON body (or none), {@code headers} as "Name: value" lines. */
  static Reply send(int port, String method, String path, String body, String... headers)
      throws IOException {
    StringBuilder req =
        new StringBuilder(method)
            .append(' ')
            .append(path)
            .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    if (body != null) {
      req.append("Content-Type: application/json\r\nContent-Length: ")
          .append(bytes.length)
          .append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    all.write(bytes);
    return exchange(port, all.toByteArray());
  }

  /** Sends {@code raw} as is and reads the reply until the server closes. */
  static Reply exchange(int port, byte[] raw) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(raw);
      out.flush();
      return read(s.getInputStream());
    }
  }

  static Reply read(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    int n;
    int headerEnd = -1;
    long contentLength = -1;
    boolean chunked = false;
    while ((n = in.read(b)) > 0) {
      buf.write(b, 0, n);
      String text = buf.toString(StandardCharsets.ISO_8859_1);
      if (headerEnd < 0 && (headerEnd = text.indexOf("\r\n\r\n")) >= 0) {
        for (String line : text.substring(0, headerEnd).split("\r\n")) {
          String lower = line.toLowerCase(Locale.ROOT);
          if (lower.startsWith("content-length:")) {
            contentLength = Long.parseLong(lower.substring(15).trim());
          } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
            chunked = true;
          }
        }
      }
      if (headerEnd >= 0 && contentLength >= 0 && buf.size() >= headerEnd + 4 + contentLength) {
        break;
      }
      if (headerEnd >= 0 && chunked && text.endsWith("0\r\n\r\n")) {
        break;
      }
    }
    String text = buf.toString(StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) {
      return new Reply(-1, "", text);
    }
    int status = Integer.parseInt(text.substring(9, 12));
    String contentType = "";
    for (String line : text.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
        contentType = line.substring(13).trim();
      }
    }
    String body = text.substring(end + 4);
    if (chunked) {
      body = unchunk(body);
    }
    return new Reply(status, contentType, body);
  }

  private static String unchunk(String body) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < body.length()) {
      int eol = body.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size = Integer.parseInt(body.substring(i, eol).trim(), 16);
      if (size == 0) {
        break;
      }
      out.append(body, eol + 2, Math.min(body.length(), eol + 2 + size));
      i = eol + 2 + size + 2;
    }
    return out.toString();
  }
}
