package dev.strata.offline;

import dev.strata.errors.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where Strata keeps its tables: a URI on any Hadoop file system ({@code file:}, {@code s3a:},
 * {@code hdfs:}). A plain path means a directory on the local disk.
 *
 * <pre>{@code
 * Warehouse w = Warehouse.of("s3a://lake/strata");
 * w.resolve("offline", "delta", "origin_delays_v1");  // "s3a://lake/strata/offline/delta/origin_delays_v1"
 * }</pre>
 */
public record Warehouse(URI root) {
  /** A scheme of two letters or more: {@code C:\x} is a Windows path, not a URI. */
  private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

  public Warehouse {
    if (root.getScheme() == null || !root.isAbsolute()) {
      throw new InvalidInputException("a warehouse must be an absolute URI, not '" + root + "'");
    }
    String text = root.toString();
    while (text.endsWith("/") && !text.endsWith(":/") && !text.endsWith("://")) {
      text = text.substring(0, text.length() - 1);
    }
    root = URI.create(text);
  }

  /** Parses {@code s3a://bucket/dir}, {@code file:/dir}, or a local path (made absolute). */
  public static Warehouse of(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException("the warehouse location is empty");
    }
    if (SCHEME.matcher(text).matches()) {
      try {
        return new Warehouse(new URI(text));
      } catch (URISyntaxException e) {
        throw new InvalidInputException(
            "warehouse '" + text + "' is not a valid URI: " + e.getMessage(), e);
      }
    }
    return local(Path.of(text));
  }

  /** A directory on the local disk. */
  public static Warehouse local(Path dir) {
    return new Warehouse(dir.toAbsolutePath().normalize().toUri());
  }

  /** A location below the root, as a URI string. */
  public String resolve(String... segments) {
    StringBuilder sb = new StringBuilder(root.toString());
    for (String s : segments) {
      if (s.isEmpty() || s.contains("/")) {
        throw new InvalidInputException("'" + s + "' is not one path segment");
      }
      sb.append('/').append(s);
    }
    return sb.toString();
  }

  /** Whether the tables are on this machine's disk. */
  public boolean isLocal() {
    return "file".equals(root.getScheme());
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
