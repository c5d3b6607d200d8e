package dev.strata.dsl;

import java.util.List;

/** Some features of one feature view, as a {@link FeatureService} uses them. */
public record Projection(String view, List<String> features) {
  public Projection {
    features = List.copyOf(features);
  }
}
