package dev.strata.registry;

import dev.strata.dsl.Definitions;
import java.util.List;

/**
 * What an apply would change, computed against the registry at {@link #baseRevision}.
 *
 * @param desired the registry's definitions after the apply
 * @param unchanged how many objects of the repository are already registered as they are
 */
public record Plan(long baseRevision, List<Change> changes, int unchanged, Definitions desired) {
  public Plan {
    changes = List.copyOf(changes);
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  public boolean hasBreakingChanges() {
    return changes.stream().anyMatch(Change::breaking);
  }

  public long count(ChangeType type) {
    return changes.stream().filter(c -> c.type() == type).count();
  }

  /** A one-line summary, e.g. {@code 2 to add, 1 to update, 0 to remove, 5 unchanged}. */
  public String summary() {
    return count(ChangeType.ADD)
        + " to add, "
        + count(ChangeType.UPDATE)
        + " to update, "
        + count(ChangeType.REMOVE)
        + " to remove, "
        + unchanged
        + " unchanged";
  }
}
