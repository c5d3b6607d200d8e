package dev.strata.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.stereotype.Component;

/**
 * The configured API keys ({@code strata.api-keys.<key>=read|write|admin}) and their roles: {@code
 * read} &lt; {@code write} &lt; {@code admin}. Only SHA-256 hashes of the keys are kept ({@link
 * StrataServer.Settings} hashes them as it is bound), a presented key is compared with every hash
 * in constant time, and logs and metrics name a key only by its id, the first 8 hex digits of its
 * hash.
 *
 * <p>At start-up every {@code strata.api-keys.*} property is checked: Spring's binder drops
 * characters other than letters, digits, {@code -} and {@code .} from an unbracketed map key, so
 * {@code --strata.api-keys.w_key+x=write} would silently register {@code wkeyx}. Such a key, and an
 * unknown role, stop the server with a message that says how to write it.
 */
@Component
public class ApiKeys {
  /** Roles, weakest first. */
  public enum Role {
    READ,
    WRITE,
    ADMIN;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Optional<Role> parse(String text) {
      for (Role r : values()) {
        if (r.label().equals(text)) {
          return Optional.of(r);
        }
      }
      return Optional.empty();
    }
  }

  /** A known key: its id (safe to log) and its role. */
  public record Key(String id, Role role) {}

  static final String HEADER = "X-API-Key";

  private final byte[][] hashes;
  private final Key[] keys;

  public ApiKeys(StrataServer.Settings settings, ConfigurableEnvironment environment) {
    checkPropertyNames(settings.apiKeys(), environment);
    List<byte[]> h = new ArrayList<>();
    List<Key> k = new ArrayList<>();
    settings
        .apiKeys()
        .forEach(
            (hash, role) -> {
              h.add(HexFormat.of().parseHex(hash));
              k.add(new Key(hash.substring(0, 8), Role.parse(role).orElseThrow()));
            });
    this.hashes = h.toArray(byte[][]::new);
    this.keys = k.toArray(Key[]::new);
  }

  /** Hashes configured keys and checks their roles: what {@link StrataServer.Settings} keeps. */
  static Map<String, String> hashed(Map<String, String> plain) {
    Map<String, String> out = new LinkedHashMap<>();
    plain.forEach(
        (key, role) -> {
          if (key.isBlank()) {
            throw new IllegalArgumentException("strata.api-keys: an API key must not be empty");
          }
          String hash = sha256(key);
          String r = role == null ? "" : role.trim().toLowerCase(Locale.ROOT);
          if (Role.parse(r).isEmpty()) {
            throw new IllegalArgumentException(
                "strata.api-keys: key "
                    + hash.substring(0, 8)
                    + " has role '"
                    + role
                    + "'; the roles are read, write and admin");
          }
          out.put(hash, r);
        });
    return Map.copyOf(out);
  }

  /** The key's id and role, or empty for a key that is not configured. Constant time in the key. */
  public Optional<Key> find(String presented) {
    byte[] h = HexFormat.of().parseHex(sha256(presented));
    Key found = null;
    for (int i = 0; i < hashes.length; i++) {
      if (MessageDigest.isEqual(h, hashes[i])) {
        found = keys[i];
      }
    }
    return Optional.ofNullable(found);
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Refuses a key property whose name the binder would have changed: the key a client sends must be
   * exactly the one written.
   */
  private static void checkPropertyNames(
      Map<String, String> bound, ConfigurableEnvironment environment) {
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (!(source instanceof EnumerablePropertySource<?> e)) {
        continue;
      }
      for (String name : e.getPropertyNames()) {
        String key = keyOf(name);
        if (key != null && !bound.containsKey(sha256(key))) {
          throw new IllegalArgumentException(
              "API key property '"
                  + name.replace(key, mask(key))
                  + "' cannot be matched as written: an unbracketed key may hold only letters, digits, '-' and '.'"
                  + " (Spring drops the rest); write it as --strata.api-keys[KEY]=ROLE");
        }
      }
    }
  }

  /** The key named by a {@code strata.api-keys} property, or null for another property. */
  static String keyOf(String property) {
    String lower = property.toLowerCase(Locale.ROOT);
    for (String prefix : List.of("strata.api-keys", "strata.apikeys", "strata.api_keys")) {
      if (lower.startsWith(prefix) && property.length() > prefix.length()) {
        String rest = property.substring(prefix.length());
        if (rest.startsWith("[") && rest.endsWith("]")) {
          return rest.substring(1, rest.length() - 1);
        }
        if (rest.startsWith(".")) {
          return rest.substring(1);
        }
      }
    }
    return null;
  }

  /** A key as it may appear in a message: its first two characters. */
  static String mask(String key) {
    return key.length() <= 2 ? "***" : key.substring(0, 2) + "***";
  }
}
