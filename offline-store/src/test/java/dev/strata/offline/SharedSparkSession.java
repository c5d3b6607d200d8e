package dev.strata.offline;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One local SparkSession per test JVM ({@code local[2]}, UI off, two shuffle partitions), with
 * Strata's table-format settings and a throw-away warehouse; closed when the JVM's tests end.
 *
 * <pre>{@code
 * @ExtendWith(SharedSparkSession.class)
 * class MyTest {
 *   @Test void works(SparkSession spark) { ... }
 * }
 * }</pre>
 */
public final class SharedSparkSession implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(SharedSparkSession.class);

  /** The session and its warehouse, closed by JUnit at the end of the run. */
  static final class Holder implements ExtensionContext.Store.CloseableResource {
    final SparkSession spark;
    final Path warehouse;

    Holder() throws IOException {
      warehouse = Files.createTempDirectory("strata-test-warehouse");
      spark =
          StrataSpark.configure(SparkSession.builder(), warehouse)
              .master("local[2]")
              .appName("strata-tests")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.default.parallelism", "2")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.sql.adaptive.enabled", "false")
              // Delta rebuilds a table's state with 50 tasks unless told (as the CLI tells it)
              .config("spark.databricks.delta.snapshotPartitions", "2")
              .getOrCreate();
    }

    @Override
    public void close() throws IOException {
      spark.stop();
      Files.walkFileTree(
          warehouse,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    }
  }

  private static Holder holder(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            Holder.class,
            k -> {
              try {
                return new Holder();
              } catch (IOException e) {
                throw new IllegalStateException("Cannot create the test warehouse", e);
              }
            },
            Holder.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    return p.getParameter().getType() == SparkSession.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    return holder(c).spark;
  }

  /** The warehouse directory of the shared session. */
  public static Path warehouse(ExtensionContext c) {
    return holder(c).warehouse;
  }
}
