package dev.strata.jobs.cli;

import dev.strata.dsl.FeatureRepository;
import dev.strata.errors.InvalidDefinitionException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds a feature-repository project ({@code strata init}) with Maven, offline first, and gives
 * the jar it made, for {@code --project}. The project's pom depends on Strata's DSL artifact at
 * this CLI's version; when the local Maven repository does not hold it (Strata was built with
 * {@code mvn verify}, not {@code install}), the CLI puts its own DSL classes there first. The
 * project and the Maven repository are local folders (Maven works on the local disk), hence {@code
 * java.nio} here; no table or warehouse path passes through this class.
 */
final class ProjectBuild {
  static final String DSL = "strata-feature-registry";

  private ProjectBuild() {}

  /** Builds the project and returns its jar. */
  static Path jar(Path project) {
    if (!Files.isRegularFile(project.resolve("pom.xml"))) {
      throw new StrataCli.UsageException(
          "--project "
              + project
              + ": no pom.xml there (create a project with 'strata init "
              + project
              + "')");
    }
    ensureDsl();
    Run run = mvn(project, true);
    if (run.code() != 0 && run.output().contains("offline")) {
      run = mvn(project, false); // a plugin or library not downloaded yet
    }
    if (run.code() != 0) {
      List<String> errors =
          run.output()
              .lines()
              .filter(l -> l.startsWith("[ERROR]") && !l.substring(7).isBlank())
              .filter(
                  l -> !l.contains(" switch") && !l.contains("[Help ") && !l.contains("For more"))
              .limit(12)
              .toList();
      throw new InvalidDefinitionException(
          "--project "
              + project
              + " does not build (mvn package):\n  "
              + String.join("\n  ", errors.isEmpty() ? List.of(run.output().strip()) : errors));
    }
    try (Stream<Path> s = Files.list(project.resolve("target"))) {
      List<Path> jars =
          s.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(".jar")
                        && !n.endsWith("-sources.jar")
                        && !n.endsWith("-tests.jar");
                  })
              .toList();
      if (jars.size() != 1) {
        throw new StrataCli.UsageException(
            "--project " + project + ": expected one jar in target/, found " + jars);
      }
      return jars.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + project.resolve("target"), e);
    }
  }

  record Run(int code, String output) {}

  private static Run mvn(Path project, boolean offline) {
    List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-q", "-ntp"));
    if (offline) {
      cmd.add("-o");
    }
    cmd.add("package");
    try {
      Process p =
          new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Run(p.waitFor(), out);
    } catch (IOException e) {
      throw new StrataCli.UsageException(
          "--project needs Maven: 'mvn' could not be started (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building " + project, e);
    }
  }

  /** Puts the DSL classes this CLI runs with into the local Maven repository, if missing. */
  static void ensureDsl() {
    String v = StrataCli.version();
    Path repo =
        Path.of(
            System.getProperty(
                "maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
    Path dir = repo.resolve("dev/strata/" + DSL + "/" + v);
    Path jar = dir.resolve(DSL + "-" + v + ".jar");
    if (Files.exists(jar)) {
      return;
    }
    try {
      Path source =
          Path.of(
              FeatureRepository.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Files.createDirectories(dir);
      if (Files.isDirectory(source)) {
        zip(source, jar);
      } else {
        Files.copy(source, jar);
      }
      Files.writeString(
          dir.resolve(DSL + "-" + v + ".pom"),
          "<project><modelVersion>4.0.0</modelVersion><groupId>dev.strata</groupId>"
              + "<artifactId>"
              + DSL
              + "</artifactId><version>"
              + v
              + "</version></project>\n");
    } catch (IOException | URISyntaxException e) {
      throw new IllegalStateException("cannot put Strata's DSL into " + repo + ": " + e, e);
    }
  }

  private static void zip(Path classes, Path jar) throws IOException {
    try (OutputStream o = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(o);
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        Files.copy(f, out);
        out.closeEntry();
      }
    }
  }
}
