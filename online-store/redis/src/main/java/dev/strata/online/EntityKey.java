package dev.strata.online;

import dev.strata.dsl.JoinKey;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Entity keys as Redis key text: each key column typed and length-prefixed ({@code s3:ATL}, {@code
 * l2:11}), so that no two different keys encode alike: {@code (1, "12")} is {@code l1:1s2:12},
 * {@code (11, "2")} is {@code l2:11s1:2}.
 */
public final class EntityKey {
  private EntityKey() {}

  /**
   * Encodes one entity's key values, in the order of the view's join keys.
   *
   * @throws IllegalArgumentException when a value is missing or of the wrong type, naming the key
   */
  public static String encode(List<JoinKey> keys, List<?> values) {
    if (values.size() != keys.size()) {
      throw new IllegalArgumentException(
          "expected " + keys.size() + " key values " + keys + ", got " + values.size());
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < keys.size(); i++) {
      JoinKey k = keys.get(i);
      Object v = values.get(i);
      if (v == null) {
        throw new IllegalArgumentException("key '" + k.name() + "' is null");
      }
      String text;
      char tag;
      switch (k.type()) {
        case STRING -> {
          if (!(v instanceof String s)) {
            throw wrongType(k, v);
          }
          tag = 's';
          text = s;
        }
        case INT32, INT64 -> {
          if (!(v instanceof Integer
              || v instanceof Long
              || v instanceof Short
              || v instanceof Byte)) {
            throw wrongType(k, v);
          }
          tag = 'l';
          text = Long.toString(((Number) v).longValue());
        }
        default ->
            throw new IllegalArgumentException(
                "key '" + k.name() + "' has type " + k.type() + ", which cannot be a key");
      }
      sb.append(tag).append(text.getBytes(StandardCharsets.UTF_8).length).append(':').append(text);
    }
    return sb.toString();
  }

  private static IllegalArgumentException wrongType(JoinKey k, Object v) {
    return new IllegalArgumentException(
        "key '"
            + k.name()
            + "' must be "
            + k.type()
            + ", got "
            + v.getClass().getSimpleName()
            + " "
            + v);
  }
}
