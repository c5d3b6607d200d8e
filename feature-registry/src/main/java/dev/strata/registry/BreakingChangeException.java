package dev.strata.registry;

import dev.strata.errors.ConflictException;
import java.util.ArrayList;
import java.util.List;

/** An apply would break consumers and was not allowed to; nothing was written. */
public class BreakingChangeException extends ConflictException {
  private final Plan plan;

  public BreakingChangeException(Plan plan) {
    super(message(plan));
    this.plan = plan;
  }

  public Plan plan() {
    return plan;
  }

  private static String message(Plan plan) {
    List<String> lines = new ArrayList<>();
    for (Change c : plan.changes()) {
      for (String r : c.breakingReasons()) {
        lines.add(c.kind().label() + " '" + c.name() + "': " + r);
      }
    }
    return "Breaking changes, nothing applied (apply with --allow-breaking to go ahead):\n  - "
        + String.join("\n  - ", lines);
  }
}
