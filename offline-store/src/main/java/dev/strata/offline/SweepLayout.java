package dev.strata.offline;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.StructType;

/**
 * The row layout of {@link Sweep}'s input, named once for both of its sides (event rows and query
 * rows): the key columns, {@value #TS} (micros), {@value #KIND} (event or query), {@value #CREATED}
 * (micros or null), the value columns (row features, then aggregation inputs), then the entity
 * columns {@code __e0..}. Both sides are built by {@link #select}, and the sweep checks the schema
 * it is given with {@link #check}, so a column added on one side only fails at once instead of
 * shifting every later position.
 */
record SweepLayout(List<String> keyNames, List<String> valueNames, int entityColumns)
    implements Serializable {
  static final String TS = "__ts";
  static final String KIND = "__kind";
  static final String CREATED = "__created";

  SweepLayout {
    keyNames = List.copyOf(keyNames);
    valueNames = List.copyOf(valueNames);
  }

  int keys() {
    return keyNames.size();
  }

  int values() {
    return valueNames.size();
  }

  int ts() {
    return keys();
  }

  int kind() {
    return keys() + 1;
  }

  int created() {
    return keys() + 2;
  }

  int value(int i) {
    return keys() + 3 + i;
  }

  int entity(int i) {
    return value(values()) + i;
  }

  static String entityName(int i) {
    return "__e" + i;
  }

  /** Every column name, in order. */
  List<String> names() {
    List<String> n = new ArrayList<>(keyNames);
    n.add(TS);
    n.add(KIND);
    n.add(CREATED);
    n.addAll(valueNames);
    for (int i = 0; i < entityColumns; i++) {
      n.add(entityName(i));
    }
    return n;
  }

  /**
   * One side's columns in this layout, each named by it.
   *
   * @throws IllegalStateException when a side gives more or fewer columns than the layout has
   */
  Column[] select(
      List<Column> keys,
      Column ts,
      Column kind,
      Column created,
      List<Column> values,
      List<Column> entities) {
    if (keys.size() != keys() || values.size() != values() || entities.size() != entityColumns) {
      throw new IllegalStateException(
          "a sweep side has "
              + keys.size()
              + " keys, "
              + values.size()
              + " values and "
              + entities.size()
              + " entity columns; the layout has "
              + keys()
              + ", "
              + values()
              + " and "
              + entityColumns);
    }
    List<String> names = names();
    List<Column> all = new ArrayList<>(keys);
    all.add(ts);
    all.add(kind);
    all.add(created);
    all.addAll(values);
    all.addAll(entities);
    Column[] out = new Column[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i).as(names.get(i));
    }
    return out;
  }

  /**
   * @throws IllegalStateException when the schema's columns are not exactly this layout's
   */
  void check(StructType schema) {
    List<String> actual = List.of(schema.fieldNames());
    if (!actual.equals(names())) {
      throw new IllegalStateException(
          "the sweep's input columns " + actual + " are not its layout " + names());
    }
  }
}
