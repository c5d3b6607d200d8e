package dev.strata.dsl;

/**
 * A feature repository: a class that data engineers write, compile and put on a jar or a classpath.
 * The {@code strata} CLI finds implementations with {@link java.util.ServiceLoader} (list the class
 * in {@code META-INF/services/dev.strata.dsl.FeatureRepository}).
 *
 * <pre>{@code
 * public final class FlightsRepository implements FeatureRepository {
 *   public String name() { return "flights"; }
 *   public Definitions definitions() {
 *     return Definitions.builder().add(airport).add(flights).add(originDelays).build();
 *   }
 * }
 * }</pre>
 */
public interface FeatureRepository {
  /** A short name, to pick one repository when several are on the classpath. */
  String name();

  /**
   * The repository's definitions. Building them may throw {@link DefinitionException}, which the
   * CLI reports as an invalid definition.
   */
  Definitions definitions();
}
