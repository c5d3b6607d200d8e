package dev.strata.registry;

import dev.strata.dsl.Definition;
import dev.strata.dsl.ObjectKind;
import java.util.List;

/**
 * One object that an apply would add, update or remove.
 *
 * @param fromVersion the current version (0 for an add)
 * @param details what differs, one line each (e.g. {@code feature 'x': type INT64 -> FLOAT64})
 * @param breakingReasons why the change may break consumers; empty if it does not
 * @param definition the new definition (null for a removal)
 */
public record Change(
    ObjectKind kind,
    String name,
    ChangeType type,
    int fromVersion,
    String fromHash,
    String toHash,
    List<String> details,
    List<String> breakingReasons,
    Definition definition) {

  public Change {
    details = List.copyOf(details);
    breakingReasons = List.copyOf(breakingReasons);
  }

  public boolean breaking() {
    return !breakingReasons.isEmpty();
  }

  /** The version an apply gives the object (the current one for a removal). */
  public int toVersion() {
    return type == ChangeType.REMOVE ? fromVersion : fromVersion + 1;
  }
}
