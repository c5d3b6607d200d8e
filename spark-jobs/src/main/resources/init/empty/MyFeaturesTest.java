package com.example.features;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.dsl.Definitions;
import org.junit.jupiter.api.Test;

/** The definitions build and every reference between them resolves. */
class MyFeaturesTest {
  @Test
  void definitionsAreValid() {
    Definitions defs = new MyFeatures().definitions();
    assertTrue(defs.referenceErrors().isEmpty(), () -> String.join("\n", defs.referenceErrors()));
  }
}
