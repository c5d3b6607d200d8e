package dev.strata.jobs.cli;

import dev.strata.errors.InvalidInputException;
import dev.strata.errors.StrataException;
import dev.strata.offline.OutputExistsException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strata} command line: registers feature repositories and inspects the registry.
 *
 * <p>Exit codes, one per kind of {@link StrataException} and mapped here only: {@value #OK}
 * success, {@value #FAILURE} an unexpected failure, {@value #USAGE} bad usage or input, {@value
 * #INVALID} invalid definitions or data that does not match them, {@value #CONFLICT} a conflict (a
 * breaking change refused, an output that exists), {@value #NOT_FOUND} an object or node that does
 * not exist, {@value #UNAVAILABLE} the registry, Redis or the storage cannot be reached; and
 * {@value #DRIFT} when {@code strata drift} found a feature over a threshold, {@value #SKEW} when
 * {@code strata skew} found served values that differ from the offline tables.
 */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = StrataCli.Version.class,
    description = "Strata feature store: define, register, compute and serve features.",
    subcommands = {
      ApplyCommand.class,
      PlanCommand.class,
      ListCommand.class,
      DescribeCommand.class,
      StatsCommand.class,
      DriftCommand.class,
      SkewCommand.class,
      LogsCommand.class,
      LineageCommand.class,
      BackfillCommand.class,
      StreamCommand.class,
      HistoricalCommand.class,
      MaterializeCommand.Batch.class,
      MaterializeCommand.Incremental.class,
      MaterializeCommand.Watermarks.class,
      TrainingCommands.TrainingSetCommand.class,
      TrainingCommands.TrainCommand.class,
      TrainingCommands.ScoreCommand.class,
      QuickstartCommand.class,
      InitCommand.class,
      CommandLine.HelpCommand.class
    })
public final class StrataCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int INVALID = 3;
  public static final int CONFLICT = 4;

  /** A breaking change refused: a {@link #CONFLICT}. */
  public static final int BREAKING = CONFLICT;

  public static final int NOT_FOUND = 5;
  public static final int UNAVAILABLE = 6;

  /** {@code strata drift} found a feature over a threshold: not an error, a finding to alert on. */
  public static final int DRIFT = 7;

  /** {@code strata skew} found a feature whose served values matched less than required. */
  public static final int SKEW = 8;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
  }

  public static void main(String[] args) {
    CommandLine cl = commandLine();
    // System.exit skips the JVM's flushing of a PrintWriter: flush what every verb printed
    PrintWriter out =
        new PrintWriter(
            new java.io.OutputStreamWriter(System.out, java.nio.charset.StandardCharsets.UTF_8),
            true);
    PrintWriter err =
        new PrintWriter(
            new java.io.OutputStreamWriter(System.err, java.nio.charset.StandardCharsets.UTF_8),
            true);
    cl.setOut(out);
    cl.setErr(err);
    int code = cl.execute(args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** The configured command line; tests call {@code execute} on it with their own writers. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new StrataCli());
    cl.setExecutionExceptionHandler(StrataCli::handle);
    cl.setParameterExceptionHandler(StrataCli::badUsage);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.registerConverter(java.time.Instant.class, StrataCli::instant);
    cl.registerConverter(java.time.LocalDate.class, StrataCli::date);
    return cl;
  }

  /** Bad arguments: one line that says what is wrong and where to look, exit code 2. */
  private static int badUsage(CommandLine.ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    cl.getErr()
        .println(
            "error: "
                + firstLine(e.getMessage())
                + " (see '"
                + cl.getCommandSpec().qualifiedName()
                + " --help')");
    cl.getErr().flush();
    return USAGE;
  }

  static java.time.Instant instant(String text) {
    try {
      return java.time.Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + text + "' is not an instant: write it like 2001-01-15T00:00:00Z");
    }
  }

  /**
   * A day: {@code 2001-01-15}, or {@code today} or {@code yesterday} (UTC), which scheduled runs
   * use (deploy/terraform's nightly backfill).
   */
  static java.time.LocalDate date(String text) {
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    if (text.equals("today")) {
      return today;
    }
    if (text.equals("yesterday")) {
      return today.minusDays(1);
    }
    try {
      return java.time.LocalDate.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + text + "' is not a date: write it like 2001-01-15, or today or yesterday");
    }
  }

  private static String firstLine(String message) {
    String m = String.valueOf(message).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl).strip();
  }

  /** An exception and its causes, each by its first line, on one line. */
  static String oneLine(Throwable e, boolean withType) {
    StringBuilder sb =
        new StringBuilder(
            withType || e.getMessage() == null
                ? firstLine(e.toString())
                : firstLine(e.getMessage()));
    for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      String m = firstLine(c.getMessage() == null ? c.toString() : c.getMessage());
      if (!sb.toString().contains(m)) {
        sb.append("; caused by: ").append(m);
      }
    }
    return sb.toString();
  }

  /**
   * Turns the exceptions users cause into one line and an exit code; never a stack trace (unless
   * {@code -Dstrata.debug=true}).
   */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    int code = code(e);
    if (code == INVALID || code == CONFLICT) {
      err.println("error: " + e.getMessage()); // a list of what is wrong, one problem a line
    } else if (e instanceof OutputExistsException o
        && cl.getCommandSpec().findOption("--overwrite") != null) {
      err.println(
          "error: "
              + o.table().formatName()
              + " output "
              + o.table().location()
              + " exists: pass --overwrite to replace it, or choose another --output");
    } else if (e instanceof UsageException) {
      err.println(
          "error: "
              + firstLine(e.getMessage())
              + " (see '"
              + cl.getCommandSpec().qualifiedName()
              + " --help')");
    } else {
      err.println("error: " + oneLine(e, code == FAILURE && !(e instanceof IllegalStateException)));
    }
    if (Boolean.getBoolean("strata.debug")) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  /** The exit code of an exception: the one place where the error model meets exit codes. */
  static int code(Exception e) {
    if (e instanceof StrataException s) {
      return switch (s.kind()) {
        case INVALID_INPUT -> USAGE;
        case INVALID_DEFINITION -> INVALID;
        case CONFLICT -> CONFLICT;
        case NOT_FOUND -> NOT_FOUND;
        case UNAVAILABLE -> UNAVAILABLE;
      };
    }
    if (e instanceof IllegalArgumentException) {
      return USAGE; // a value a library refused (a date, a number)
    }
    return FAILURE;
  }

  /**
   * Bad arguments found after parsing (an unknown repository, kind, ...): the message points at
   * --help.
   */
  static final class UsageException extends InvalidInputException {
    UsageException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"strata " + version()};
    }
  }

  /** This build's version (its Maven project version, filtered into a resource by the build). */
  static String version() {
    java.util.Properties p = new java.util.Properties();
    try (java.io.InputStream in =
        StrataCli.class.getResourceAsStream("/strata-version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read strata-version.properties", e);
    }
    return p.getProperty("version", "0.1.0-SNAPSHOT");
  }
}
