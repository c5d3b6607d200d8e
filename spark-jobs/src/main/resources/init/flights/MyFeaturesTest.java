package com.example.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.dsl.Definitions;
import org.junit.jupiter.api.Test;

/** The definitions build (names, types, windows) and every reference between them resolves. */
class MyFeaturesTest {
  @Test
  void definitionsAreValid() {
    Definitions defs = new MyFeatures().definitions();
    assertTrue(defs.referenceErrors().isEmpty(), () -> String.join("\n", defs.referenceErrors()));
    assertEquals(1, defs.featureViews().size());
    assertEquals(1, defs.featureServices().size());
  }
}
