package dev.strata.dsl;

import dev.strata.errors.InvalidInputException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reference to features as users write it: {@code view:feature} for one feature, or a bare {@code
 * view} for all of a view's features. The one parser of this form, for the CLI and the feature
 * server alike.
 *
 * <pre>{@code
 * FeatureRef.parse("origin_delays:avg_delay_1h");  // view origin_delays, feature avg_delay_1h
 * FeatureRef.parse("origin_delays");               // every feature of origin_delays
 * }</pre>
 */
public record FeatureRef(String view, Optional<String> feature) {
  private static final Pattern FORM =
      Pattern.compile("([a-z_][a-z0-9_]{0,127})(?::([a-z_][a-z0-9_]{0,127}))?");

  /**
   * @throws InvalidInputException for anything but {@code view} or {@code view:feature}
   */
  public static FeatureRef parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new InvalidInputException(
          "feature reference '"
              + shown(text)
              + "' is not view:feature (or a bare view"
              + " for all its features; names are lower case letters, digits and underscores)");
    }
    return new FeatureRef(m.group(1), Optional.ofNullable(m.group(2)));
  }

  /** Whether it names the whole view. */
  public boolean allFeatures() {
    return feature.isEmpty();
  }

  /** At most 100 characters of what a user sent, for messages. */
  private static String shown(String text) {
    String s = String.valueOf(text);
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  @Override
  public String toString() {
    return view + feature.map(f -> ":" + f).orElse("");
  }
}
