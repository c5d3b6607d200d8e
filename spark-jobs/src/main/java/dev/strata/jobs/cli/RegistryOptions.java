package dev.strata.jobs.cli;

import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which registry a command talks to. */
final class RegistryOptions {
  /** The environment variable that names the registry when {@code --registry} is absent. */
  static final String ENV = "STRATA_REGISTRY_URL";

  @Option(
      names = "--registry",
      paramLabel = "JDBC_URL",
      description = {
        "The registry database: a JDBC URL (jdbc:postgresql://..., jdbc:h2:file:...).",
        "Default: $" + ENV + ", else an embedded database in .strata/registry."
      })
  String url;

  String resolvedUrl() {
    if (url != null && !url.isBlank()) {
      return url;
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return env;
    }
    return RegistryUrls.embedded(Path.of(".strata", "registry"));
  }

  RegistryStore open() {
    return JdbcRegistryStore.open(resolvedUrl());
  }
}
