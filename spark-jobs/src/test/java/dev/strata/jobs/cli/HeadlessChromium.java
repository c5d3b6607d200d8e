package dev.strata.jobs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium, headless, for tests of the HTML reports: installed from Debian's packages on
 * first use where it is missing (the README's test command sets up everything), then run with
 * {@code --dump-dom} on a page, its console messages captured from its log.
 */
final class HeadlessChromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");

  private HeadlessChromium() {}

  /** What a page became: its DOM after its scripts ran, and what it wrote to the console. */
  record Page(String dom, List<String> console) {}

  /** Chromium, installed with apt-get when it is not there yet. */
  static synchronized Path binary() throws IOException, InterruptedException {
    if (!Files.isExecutable(BINARY)) {
      run(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"), 900);
      if (!Files.isExecutable(BINARY)) {
        run(List.of("apt-get", "update", "-q"), 300);
        run(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"), 900);
      }
      if (!Files.isExecutable(BINARY)) {
        throw new IllegalStateException(
            "Chromium is not at "
                + BINARY
                + " and 'apt-get install chromium' did not put it there");
      }
    }
    return BINARY;
  }

  /** Opens {@code html} headless and returns its DOM once its scripts ran. */
  static Page open(Path html) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("strata-chromium");
    Path err = Files.createTempFile("strata-chromium", ".log");
    Process p =
        new ProcessBuilder(
                binary().toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=2000",
                "--dump-dom",
                html.toUri().toString())
            .redirectError(err.toFile())
            .start();
    byte[] dom = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("Chromium did not finish in 120 s: " + Files.readString(err));
    }
    List<String> console = new ArrayList<>();
    for (String line : Files.readAllLines(err, StandardCharsets.UTF_8)) {
      if (line.contains("CONSOLE")) {
        console.add(line);
      }
    }
    return new Page(new String(dom, StandardCharsets.UTF_8), console);
  }

  private static void run(List<String> command, int seconds)
      throws IOException, InterruptedException {
    ProcessBuilder b =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    b.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = b.start();
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
  }
}
