package dev.strata.jobs.cli;

import dev.strata.dsl.DefinitionException;
import dev.strata.offline.EntityFrameException;
import dev.strata.offline.SourceSchemaException;
import dev.strata.registry.BreakingChangeException;
import dev.strata.registry.ConcurrentApplyException;
import dev.strata.registry.RegistryException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code strata} command line: registers feature repositories and inspects the registry.
 *
 * <p>Exit codes: {@value #OK} success, {@value #FAILURE} a failure (registry unreachable, I/O),
 * {@value #USAGE} bad usage, {@value #INVALID} invalid definitions, {@value #BREAKING} breaking
 * changes refused or bad data (a source or entity rows that do not match), {@value #NOT_FOUND}
 * an object or node that does not exist.
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
      LineageCommand.class,
      BackfillCommand.class,
      HistoricalCommand.class,
      MaterializeCommand.Batch.class,
      MaterializeCommand.Incremental.class,
      TrainingCommands.TrainingSetCommand.class,
      TrainingCommands.TrainCommand.class,
      TrainingCommands.ScoreCommand.class,
      QuickstartCommand.class,
      CommandLine.HelpCommand.class
    })
public final class StrataCli implements Runnable {
  public static final int OK = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  public static final int INVALID = 3;
  public static final int BREAKING = 4;
  public static final int NOT_FOUND = 5;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line; tests call {@code execute} on it with their own writers. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new StrataCli());
    cl.setExecutionExceptionHandler(StrataCli::handle);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    return cl;
  }

  /** Turns the exceptions users cause into a message and an exit code; never a stack trace. */
  private static int handle(
      Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    PrintWriter err = cl.getErr();
    if (e instanceof BreakingChangeException) {
      err.println("error: " + e.getMessage());
      return BREAKING;
    }
    if (e instanceof SourceSchemaException || e instanceof EntityFrameException) {
      err.println("error: " + e.getMessage());
      return INVALID;
    }
    if (e instanceof IllegalArgumentException) {
      err.println("error: " + e.getMessage());
      return USAGE;
    }
    if (e instanceof DefinitionException) {
      err.println("error: " + e.getMessage());
      return INVALID;
    }
    if (e instanceof NotFoundException) {
      err.println("error: " + e.getMessage());
      return NOT_FOUND;
    }
    if (e instanceof UsageException) {
      err.println("error: " + e.getMessage());
      err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
      return USAGE;
    }
    if (e instanceof ConcurrentApplyException || e instanceof RegistryException) {
      err.println("error: " + e.getMessage());
    } else {
      err.println("error: " + e);
    }
    Throwable cause = e.getCause();
    while (cause != null) {
      err.println("  caused by: " + cause);
      cause = cause.getCause();
    }
    if (Boolean.getBoolean("strata.debug")) {
      e.printStackTrace(err);
    }
    return FAILURE;
  }

  /** Bad arguments found after parsing (an unknown repository, kind, ...). */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  /** The object or node asked about does not exist. */
  static final class NotFoundException extends RuntimeException {
    NotFoundException(String message) {
      super(message);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StrataCli.class.getPackage().getImplementationVersion();
      return new String[] {"strata " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
