package dev.strata.online;

import dev.strata.dsl.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The compact binary form of one view's feature values: per feature, in the view's order, a
 * presence byte (0 null, 1 present) and the value: BOOL 1 byte, INT32 and DATE (epoch day) 4,
 * INT64, FLOAT64 and TIMESTAMP (epoch micros) 8, FLOAT32 4, STRING a 4-byte length and UTF-8.
 * Values are Java objects: Boolean, Integer, Long, Float, Double, String, and Long micros for
 * TIMESTAMP, Integer epoch days for DATE.
 */
public final class ValueCodec {
  private ValueCodec() {}

  public static byte[] encode(List<ValueType> types, Object[] values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 + 9 * types.size());
    ByteBuffer b = ByteBuffer.allocate(8);
    for (int i = 0; i < types.size(); i++) {
      Object v = values[i];
      if (v == null) {
        out.write(0);
        continue;
      }
      out.write(1);
      b.clear();
      switch (types.get(i)) {
        case BOOL -> out.write(((Boolean) v) ? 1 : 0);
        case INT32, DATE -> out.write(b.putInt(((Number) v).intValue()).array(), 0, 4);
        case INT64, TIMESTAMP -> out.write(b.putLong(((Number) v).longValue()).array(), 0, 8);
        case FLOAT32 -> out.write(b.putFloat(((Number) v).floatValue()).array(), 0, 4);
        case FLOAT64 -> out.write(b.putDouble(((Number) v).doubleValue()).array(), 0, 8);
        case STRING -> {
          byte[] s = v.toString().getBytes(StandardCharsets.UTF_8);
          out.write(b.putInt(s.length).array(), 0, 4);
          out.write(s, 0, s.length);
        }
      }
    }
    return out.toByteArray();
  }

  public static Object[] decode(List<ValueType> types, byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    Object[] values = new Object[types.size()];
    for (int i = 0; i < types.size(); i++) {
      if (b.get() == 0) {
        continue;
      }
      values[i] =
          switch (types.get(i)) {
            case BOOL -> b.get() != 0;
            case INT32, DATE -> b.getInt();
            case INT64, TIMESTAMP -> b.getLong();
            case FLOAT32 -> b.getFloat();
            case FLOAT64 -> b.getDouble();
            case STRING -> {
              byte[] s = new byte[b.getInt()];
              b.get(s);
              yield new String(s, StandardCharsets.UTF_8);
            }
          };
    }
    if (b.hasRemaining()) {
      throw new IllegalStateException(
          "stored value has "
              + b.remaining()
              + " unexpected bytes: written by another view version?");
    }
    return values;
  }
}
