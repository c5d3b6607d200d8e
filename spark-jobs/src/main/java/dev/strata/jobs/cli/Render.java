package dev.strata.jobs.cli;

import dev.strata.dsl.Definition;
import dev.strata.registry.Change;
import dev.strata.registry.ChangeType;
import dev.strata.registry.Plan;
import dev.strata.registry.Registered;
import java.util.ArrayList;
import java.util.List;

/** Text renderings of plans and listings for the terminal. */
final class Render {
  private Render() {}

  static String plan(Plan plan) {
    StringBuilder sb = new StringBuilder();
    for (Change c : plan.changes()) {
      String sign = c.type() == ChangeType.ADD ? "+" : c.type() == ChangeType.UPDATE ? "~" : "-";
      sb.append(sign).append(' ').append(c.kind().label()).append(' ').append(c.name());
      switch (c.type()) {
        case ADD -> sb.append(" (new, v1)");
        case UPDATE ->
            sb.append(" (v")
                .append(c.fromVersion())
                .append(" -> v")
                .append(c.toVersion())
                .append(')');
        case REMOVE -> sb.append(" (remove v").append(c.fromVersion()).append(')');
      }
      if (c.breaking()) {
        sb.append("  BREAKING");
      }
      sb.append('\n');
      for (String d : c.details()) {
        sb.append("    ").append(d).append('\n');
      }
      for (String r : c.breakingReasons()) {
        sb.append("    breaking: ").append(r).append('\n');
      }
    }
    sb.append(plan.isEmpty() ? "No changes. " : "Plan: ").append(plan.summary()).append('\n');
    return sb.toString();
  }

  static String table(List<Registered<Definition>> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(new String[] {"KIND", "NAME", "VERSION", "HASH", "REVISION", "CREATED"});
    for (Registered<Definition> r : rows) {
      cells.add(
          new String[] {
            r.kind().label(),
            r.name(),
            "v" + r.version(),
            r.shortHash(),
            Long.toString(r.revision()),
            r.createdAt().toString()
          });
    }
    return columns(cells);
  }

  /** Left-aligned columns; the first row is the header. */
  static String columns(List<String[]> cells) {
    int[] width = new int[cells.get(0).length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) {
        sb.append(
            i == row.length - 1 ? row[i] : String.format("%-" + (width[i] + 2) + "s", row[i]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }
}
