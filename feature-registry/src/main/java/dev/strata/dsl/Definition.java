package dev.strata.dsl;

/**
 * One registered kind of object: an {@link Entity}, a {@link Source}, a {@link FeatureView} or a
 * {@link FeatureService}. Its kind and name identify it in a set of {@link Definitions} and in the
 * registry.
 */
public sealed interface Definition permits Entity, Source, FeatureView, FeatureService {
  ObjectKind kind();

  String name();
}
