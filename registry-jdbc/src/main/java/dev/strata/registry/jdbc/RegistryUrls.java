package dev.strata.registry.jdbc;

import java.nio.file.Path;

/** JDBC URLs for the registry database. */
public final class RegistryUrls {
  private RegistryUrls() {}

  /**
   * An embedded H2 database in {@code dir} (file {@code registry.mv.db}). {@code AUTO_SERVER} lets
   * a second process (the CLI while the server runs) open it too.
   */
  public static String embedded(Path dir) {
    return "jdbc:h2:file:"
        + dir.toAbsolutePath().resolve("registry")
        + ";AUTO_SERVER=TRUE;LOCK_TIMEOUT=20000";
  }

  /** An in-memory H2 database that lives as long as the store that opened it. */
  public static String inMemory(String name) {
    return "jdbc:h2:mem:" + name + ";LOCK_TIMEOUT=20000";
  }

  /** Hides a password in a URL for messages. */
  public static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
  }
}
