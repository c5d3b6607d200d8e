package dev.strata.registry;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The registry contract on the embedded database file, as the CLI uses it by default. */
class H2RegistryStoreTest extends RegistryStoreContract {
  @TempDir Path dir;

  @Override
  protected String newDatabaseUrl() {
    return RegistryUrls.embedded(dir);
  }
}
