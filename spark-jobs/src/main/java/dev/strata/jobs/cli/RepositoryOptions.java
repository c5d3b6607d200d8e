package dev.strata.jobs.cli;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.FeatureRepository;
import dev.strata.registry.DefinitionFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * Which feature repository a command reads: implementations of {@link FeatureRepository} found with
 * {@link ServiceLoader} on the classpath and on {@code --repository-jar} jars.
 */
final class RepositoryOptions {
  @Option(
      names = {"-r", "--repository"},
      paramLabel = "NAME",
      description =
          "The feature repository to use, when more than one is on the classpath. Without it, a"
              + " repository on --repository-jar is chosen over the bundled example.")
  String name;

  @Option(
      names = "--repository-jar",
      paramLabel = "PATH",
      description = "A jar or class directory that holds feature repositories (repeatable).")
  List<Path> jars = new ArrayList<>();

  @Option(
      names = "--project",
      paramLabel = "DIR",
      description =
          "A feature-repository project (strata init): built with Maven, then used as its jar.")
  Path project;

  @Option(
      names = "--definitions",
      paramLabel = "FILE|DIR",
      description =
          "Definitions in their JSON form (feature-registry/DEFINITIONS.md): a file, or a"
              + " directory of *.json files, instead of a Java repository.")
  Path definitions;

  /** The loader of the {@code --repository-jar} jars, once discovered; null without jars. */
  private ClassLoader jarLoader;

  /**
   * The repository named with {@code -r}; otherwise the only one on the {@code --repository-jar}
   * jars when any are given (the bundled example stays on the classpath, but a user who names a jar
   * means the jar's), or the only one on the classpath.
   */
  FeatureRepository load() {
    if (definitions != null) {
      if (name != null || !jars.isEmpty() || project != null) {
        throw new StrataCli.UsageException(
            "--definitions cannot be combined with --repository, --repository-jar or --project");
      }
      Path from = definitions;
      return new FeatureRepository() {
        @Override
        public String name() {
          return String.valueOf(from.getFileName());
        }

        @Override
        public Definitions definitions() {
          return DefinitionFiles.read(from);
        }
      };
    }
    if (project != null) {
      jars.add(ProjectBuild.jar(project));
    }
    List<FeatureRepository> found = discover();
    if (name == null && !jars.isEmpty()) {
      List<FeatureRepository> fromJars =
          found.stream().filter(r -> r.getClass().getClassLoader() == jarLoader).toList();
      if (!fromJars.isEmpty()) {
        found = fromJars;
      }
    }
    if (found.isEmpty()) {
      throw new StrataCli.UsageException(
          "No feature repository found: put a jar that lists its class in "
              + "META-INF/services/dev.strata.dsl.FeatureRepository on --repository-jar");
    }
    String names =
        found.stream().map(FeatureRepository::name).sorted().collect(Collectors.joining(", "));
    if (name == null) {
      if (found.size() > 1) {
        throw new StrataCli.UsageException(
            "More than one feature repository found (" + names + "): pick one with --repository");
      }
      return found.get(0);
    }
    return found.stream()
        .filter(r -> r.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new StrataCli.UsageException(
                    "No feature repository named '" + name + "' (found: " + names + ")"));
  }

  private List<FeatureRepository> discover() {
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      if (!Files.exists(jar)) {
        throw new StrataCli.UsageException("--repository-jar " + jar + ": no such file");
      }
      try {
        urls.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new UncheckedIOException(new IOException(e));
      }
    }
    ClassLoader parent = Thread.currentThread().getContextClassLoader();
    ClassLoader loader =
        urls.isEmpty() ? parent : new URLClassLoader(urls.toArray(URL[]::new), parent);
    jarLoader = urls.isEmpty() ? null : loader;
    List<FeatureRepository> found = new ArrayList<>();
    ServiceLoader.load(FeatureRepository.class, loader).forEach(found::add);
    return found;
  }
}
