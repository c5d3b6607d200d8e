package dev.strata.jobs.cli;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code strata init}: a feature-repository project that builds with Maven. The project is a folder
 * on the local disk, as Maven needs it, so its files are written with {@code java.nio}; the data
 * file is a table and is written by Spark through Hadoop's {@code FileSystem}.
 */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a feature-repository project in DIR: a pom, one FeatureRepository class, its",
      "META-INF/services file, a JUnit test of the definitions, a README and (flights template) a",
      "small data file. Then: strata plan|apply --project DIR."
    })
final class InitCommand implements Callable<Integer> {
  /** The templates {@code --template} offers. */
  enum Template {
    /** An entity, a Parquet source, a view with a row-level feature and windows, a service. */
    flights,
    /** A repository with no definitions yet, and an example in its comment. */
    empty
  }

  static final String PACKAGE_DIR = "src/main/java/com/example/features";
  static final String TEST_DIR = "src/test/java/com/example/features";
  static final String CLASS = "com.example.features.MyFeatures";

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "A new or empty folder.")
  Path dir;

  @Option(
      names = "--template",
      paramLabel = "NAME",
      description = "flights (default): delay features of a slice of the flights; empty: none.")
  Template template = Template.flights;

  @Override
  public Integer call() throws IOException {
    if (Files.exists(dir) && (!Files.isDirectory(dir) || !isEmpty(dir))) {
      throw new StrataCli.UsageException(dir + " exists and is not empty: choose a new folder");
    }
    Path root = dir.toAbsolutePath().normalize();
    String name = projectName(root);
    Path data = root.resolve("data/flights.parquet");
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("@NAME@", name);
    vars.put("@VERSION@", StrataCli.version());
    vars.put("@DIR@", root.toString());
    vars.put("@DATA@", template == Template.flights ? data.toString() : "(no data yet)");
    vars.put("@COMMANDS@", template == Template.flights ? flightsCommands(root, data) : "");
    PrintWriter out = spec.commandLine().getOut();
    write(root.resolve("pom.xml"), resource("pom.xml", vars));
    write(root.resolve("README.md"), resource("README.md", vars));
    write(
        root.resolve(PACKAGE_DIR + "/MyFeatures.java"),
        resource(template + "/MyFeatures.java", vars));
    write(
        root.resolve(TEST_DIR + "/MyFeaturesTest.java"),
        resource(template + "/MyFeaturesTest.java", vars));
    write(
        root.resolve("src/main/resources/META-INF/services/dev.strata.dsl.FeatureRepository"),
        CLASS + "\n");
    if (template == Template.flights) {
      writeFlights(data);
    }
    out.println(
        "Created feature repository '" + name + "' in " + root + " (template " + template + ")");
    out.println(
        "Next: ./strata plan --project " + root + "   then   ./strata apply --project " + root);
    return StrataCli.OK;
  }

  /** Three days of the bundled sample's flights: date, origin, delay (about 50k rows). */
  private static void writeFlights(Path data) {
    SparkSession spark = new SparkOptions().session("init");
    spark
        .read()
        .parquet(samplePath())
        .filter(col("date").lt(java.sql.Timestamp.valueOf("2001-01-04 00:00:00")))
        .select(col("date"), col("origin"), col("delay"))
        .coalesce(1)
        .write()
        .parquet(data.toString());
  }

  /** The bundled sample of the flights, as the checkout holds it. */
  static final String SAMPLE = "data/flights-sample.parquet";

  /**
   * The bundled sample: where {@code strata.flights.path} says, else under the Strata checkout the
   * launcher names, else from here.
   */
  static String samplePath() {
    String set = System.getProperty("strata.flights.path");
    if (set != null) {
      return set;
    }
    String home = System.getProperty("strata.home");
    if (home != null && Files.exists(Path.of(home).resolve(SAMPLE))) {
      return Path.of(home).resolve(SAMPLE).toString();
    }
    return SAMPLE;
  }

  private static String flightsCommands(Path root, Path data) {
    return "\nThen compute, retrieve and serve the features:\n\n```bash\n"
        + "./strata backfill origin_airport_delays --start 2001-01-02 --end 2001-01-03\n"
        + "./strata historical --service origin_airport_service --start 2001-01-02T00:00:00Z"
        + " --end 2001-01-02T06:00:00Z --output /tmp/points.parquet\n"
        + "./strata historical --entities "
        + data
        + " --timestamp-column date --service origin_airport_service --output /tmp/training.parquet\n"
        + "./strata materialize origin_airport_delays --start 2001-01-02T00:00:00Z"
        + " --end 2001-01-04T00:00:00Z --redis redis://127.0.0.1:6379\n"
        + "```\n";
  }

  /** The folder's name as a Maven artifact id and repository name: lower case, [a-z0-9-]. */
  static String projectName(Path root) {
    String n =
        String.valueOf(root.getFileName())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]+", "-")
            .replaceAll("^-+|-+$", "");
    return n.isEmpty() ? "features" : n;
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static String resource(String name, Map<String, String> vars) throws IOException {
    try (InputStream in = InitCommand.class.getResourceAsStream("/init/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing template resource /init/" + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> v : vars.entrySet()) {
        text = text.replace(v.getKey(), v.getValue());
      }
      return text;
    }
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }
}
