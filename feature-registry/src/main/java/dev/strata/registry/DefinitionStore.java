package dev.strata.registry;

import dev.strata.dsl.Definition;
import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureService;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.ObjectKind;
import dev.strata.dsl.Source;
import java.util.List;
import java.util.Optional;

/** The definitions part of the registry: every version of every definition, and plan/apply. */
public interface DefinitionStore {

  /** The number of applies that changed something; 0 for an empty registry. */
  long revision();

  /**
   * What {@link #apply} would do, without writing anything.
   *
   * @throws InvalidDefinitionsException when the result would be inconsistent
   */
  Plan plan(Definitions repository, ApplyOptions options);

  /**
   * Registers the repository's definitions: all or nothing. An object whose content is unchanged
   * keeps its version; a changed one gets the next version. Concurrent applies are serialized by
   * optimistic concurrency: one that loses re-plans against the new state and tries again.
   *
   * @throws InvalidDefinitionsException when the result would be inconsistent
   * @throws BreakingChangeException when a change is breaking and the options do not allow it
   */
  ApplyResult apply(Definitions repository, ApplyOptions options);

  /** The current definitions of every object. */
  Definitions current();

  /** The current versions of one kind, sorted by name. */
  List<Registered<Definition>> list(ObjectKind kind);

  Optional<Registered<Definition>> get(ObjectKind kind, String name);

  Optional<Registered<Definition>> get(ObjectKind kind, String name, int version);

  /** Every version of an object, oldest first (also of a removed one). */
  List<Registered<Definition>> history(ObjectKind kind, String name);

  /** The current version of a feature view, with its number. */
  default Optional<Registered<FeatureView>> registeredView(String name) {
    return get(ObjectKind.FEATURE_VIEW, name).map(r -> r.as(FeatureView.class));
  }

  /**
   * The current version of a feature view, for a job that needs it.
   *
   * @throws NotRegisteredException naming the view and how to see what is registered
   */
  default Registered<FeatureView> requireView(String name) {
    return registeredView(name)
        .orElseThrow(
            () ->
                new NotRegisteredException(
                    "No feature view named '"
                        + name
                        + "' is registered: see what is registered with 'strata ls'"));
  }

  /** One version of a feature view. */
  default Optional<Registered<FeatureView>> registeredView(String name, int version) {
    return get(ObjectKind.FEATURE_VIEW, name, version).map(r -> r.as(FeatureView.class));
  }

  default Optional<Registered<Source>> registeredSource(String name) {
    return get(ObjectKind.SOURCE, name).map(r -> r.as(Source.class));
  }

  default Optional<Registered<FeatureService>> registeredService(String name) {
    return get(ObjectKind.FEATURE_SERVICE, name).map(r -> r.as(FeatureService.class));
  }

  default Optional<Registered<FeatureService>> registeredService(String name, int version) {
    return get(ObjectKind.FEATURE_SERVICE, name, version).map(r -> r.as(FeatureService.class));
  }

  default Optional<Entity> entity(String name) {
    return get(ObjectKind.ENTITY, name).map(r -> r.as(Entity.class).definition());
  }

  default Optional<Source> source(String name) {
    return registeredSource(name).map(Registered::definition);
  }

  default Optional<FeatureView> featureView(String name) {
    return registeredView(name).map(Registered::definition);
  }

  default Optional<FeatureService> featureService(String name) {
    return registeredService(name).map(Registered::definition);
  }
}
