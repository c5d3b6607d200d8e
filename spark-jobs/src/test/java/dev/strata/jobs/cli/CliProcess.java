package dev.strata.jobs.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The CLI as the launcher runs it: its own JVM with the build's options and classpath, so that
 * tests see exactly what a user's terminal gets (what is flushed before exit, the exit code).
 */
public final class CliProcess {
  private CliProcess() {}

  /** What a finished run printed and returned. */
  public record Finished(int code, String out, String err) {}

  /**
   * Starts {@code strata ARGS} with extra JVM options; stdout and stderr go to files in {@code
   * dir}.
   */
  public static Process start(Path dir, List<String> jvm, String... args) throws Exception {
    Path target = Path.of("target").toAbsolutePath();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            Files.readString(target.resolve("classes/strata-jvm.options"))
                .trim()
                .replaceAll("-Xmx\\S+", "-Xmx1g")
                .split("\\s+")));
    cmd.addAll(jvm);
    cmd.add("-cp");
    // the launcher's classpath, plus the test repositories
    cmd.add(
        target.resolve("classes")
            + File.pathSeparator
            + target.resolve("test-classes")
            + File.pathSeparator
            + Files.readString(target.resolve("classpath.txt")).trim()
            + File.pathSeparator
            + target.resolve("../../examples/target/classes").normalize());
    cmd.add("dev.strata.jobs.cli.StrataCli");
    cmd.addAll(List.of(args));
    Files.createDirectories(dir);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(dir.resolve("child.out").toFile())
            .redirectError(dir.resolve("child.err").toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb.start();
  }

  /** Runs {@code strata ARGS} to its end (at most 5 minutes). */
  public static Finished run(Path dir, String... args) throws Exception {
    Process p = start(dir, List.of(), args);
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "strata " + String.join(" ", args) + " did not finish in 5 minutes");
    }
    return new Finished(
        p.exitValue(),
        Files.readString(dir.resolve("child.out")),
        Files.readString(dir.resolve("child.err")));
  }
}
