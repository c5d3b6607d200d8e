package dev.strata.dsl;

import dev.strata.errors.InvalidInputException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A name with an optional version, as users write it: {@code origin_delays} (the current version)
 * or {@code origin_delays@v2}. The one parser of this form, for the CLI and the server.
 *
 * <pre>{@code
 * VersionedName n = VersionedName.parse("delay_model@v3");  // name "delay_model", version 3
 * }</pre>
 */
public record VersionedName(String name, Optional<Integer> version) {
  private static final Pattern FORM =
      Pattern.compile("([A-Za-z_][A-Za-z0-9_.-]{0,127})(?:@v([0-9]{1,9}))?");

  public VersionedName {
    version.ifPresent(
        v -> {
          if (v < 1) {
            throw new InvalidInputException("'" + name + "@v" + v + "': versions start at 1");
          }
        });
  }

  /**
   * @throws InvalidInputException for anything but {@code NAME} or {@code NAME@vN} with N a
   *     positive number
   */
  public static VersionedName parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new InvalidInputException(
          "'" + text + "' is not NAME or NAME@vN (e.g. origin_delays@v2)");
    }
    return new VersionedName(
        m.group(1),
        m.group(2) == null ? Optional.empty() : Optional.of(Integer.parseInt(m.group(2))));
  }

  /** The version, or null for the current one (for APIs that take a nullable version). */
  public Integer versionOrNull() {
    return version.orElse(null);
  }

  @Override
  public String toString() {
    return name + version.map(v -> "@v" + v).orElse("");
  }
}
