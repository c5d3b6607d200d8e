package dev.strata.benchmarks;

import static dev.strata.dsl.Features.INT64;

import dev.strata.dsl.Definitions;
import dev.strata.dsl.Entity;
import dev.strata.dsl.FeatureView;
import dev.strata.dsl.Source;
import dev.strata.online.RedisLauncher;
import dev.strata.registry.ApplyOptions;
import dev.strata.registry.RegistryStore;
import dev.strata.registry.jdbc.JdbcRegistryStore;
import dev.strata.registry.jdbc.RegistryUrls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What the served-feature log costs a request: two servers on the same Redis and registry, one with
 * the log off and one logging every request (sample rate 1), take the same fixed-rate load (2,000
 * single-entity requests a second, 8 connections) in alternating rounds; the report compares their
 * p99. Afterwards the logged server's closed files are counted line by line against the calls it
 * answered, so a log that kept up by dropping entries would show.
 *
 * <pre>
 * benchmarks/run.sh feature-log [--entities N] [--seconds S] [--rounds R] [--sample-rate X]
 * </pre>
 */
public final class FeatureLogBenchmark {
  public static void main(String[] args) throws Exception {
    int entities = 100_000;
    double seconds = 5;
    int rounds = 12;
    double sampleRate = 1;
    String out = "benchmarks/results/feature-log.md";
    String serverJar = "online-store/server/target/strata-feature-server-0.1.0-SNAPSHOT-exec.jar";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--entities" -> entities = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--sample-rate" -> sampleRate = Double.parseDouble(args[++i]);
        case "--out" -> out = args[++i];
        case "--server-jar" -> serverJar = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    run(
        entities,
        seconds,
        rounds,
        sampleRate,
        Path.of(out),
        Path.of(serverJar),
        String.join(" ", args));
  }

  private static void run(
      int entities,
      double seconds,
      int rounds,
      double sampleRate,
      Path out,
      Path serverJar,
      String args)
      throws Exception {
    Path work = Files.createTempDirectory("strata-feature-log-bench");
    Path logDir = work.resolve("served");
    List<String> report = new ArrayList<>();
    report.add("# Served-feature log: request latency with the log on and off");
    report.add("");
    report.add(
        "Command: `benchmarks/run.sh feature-log "
            + args
            + "` on "
            + Instant.now()
            + ". Two server JVMs (-Xmx1g, ParallelGC) on one Redis (started by the benchmark) and one"
            + " registry: one with `strata.feature-log.dir` unset, one with it set and"
            + " `sample-rate` 1 (every request logged). 2 cores shared by both servers, redis-server"
            + " and the load generator. Each round runs the same fixed-rate load (open loop: latency"
            + " counts from each call's intended start) against each server, in alternating order.");
    report.add("");
    String registryUrl = RegistryUrls.embedded(work.resolve("registry"));
    try (RedisLauncher redis = RedisLauncher.single();
        RegistryStore registry = JdbcRegistryStore.open(registryUrl)) {
      Entity user = Entity.builder("user").joinKey("user_id", INT64).build();
      // the source is never read: the values go straight into Redis
      Source source = OnlineBenchmark.source(work.resolve("profiles").toString());
      FeatureView view = OnlineBenchmark.view(source, user);
      registry.apply(
          Definitions.builder().addAll(user, source, view).build(), ApplyOptions.defaults());
      OnlineBenchmark.storeWriteLoop(redis.url(), view, entities, Instant.now().minusSeconds(60));

      int offPort = ServerProcess.freePort();
      int onPort = ServerProcess.freePort();
      Process off =
          ServerProcess.startServer(
              serverJar, redis.url(), registryUrl, offPort, work.resolve("server-off.log"));
      Process on =
          ServerProcess.startServer(
              serverJar,
              redis.url(),
              registryUrl,
              onPort,
              work.resolve("server-on.log"),
              "--strata.feature-log.dir=" + logDir,
              "--strata.feature-log.sample-rate=" + sampleRate);
      long onCalls = 0;
      long onCpu = 0;
      long offCpu = 0;
      List<LoadGenerator.Result> offRuns = new ArrayList<>();
      List<LoadGenerator.Result> onRuns = new ArrayList<>();
      try {
        List<String> requests = ServerProcess.singleRequests(entities, new Random(11));
        ServerProcess.checkAnswer(offPort, requests.get(0));
        ServerProcess.checkAnswer(onPort, requests.get(0));
        onCalls += 1;
        LoadGenerator.ClientFactory offClient =
            () ->
                new LoadGenerator.HttpClient("127.0.0.1", offPort, "/v1/features/online", requests);
        LoadGenerator.ClientFactory onClient =
            () ->
                new LoadGenerator.HttpClient("127.0.0.1", onPort, "/v1/features/online", requests);
        // JIT warm-up of both servers
        LoadGenerator.closedLoop(offClient, 8, Math.max(5, seconds));
        onCalls += LoadGenerator.closedLoop(onClient, 8, Math.max(5, seconds)).calls();
        // and one unmeasured round of the measured load each (the first always runs slow)
        LoadGenerator.fixedRate(offClient, 8, 2000, seconds);
        onCalls += LoadGenerator.fixedRate(onClient, 8, 2000, seconds).calls();

        report.add("| round | log | calls | errors | achieved rps | p50 ms | p99 ms | p99.9 ms |");
        report.add("|---|---|---|---|---|---|---|---|");
        for (int r = 0; r < rounds; r++) {
          boolean onFirst = r % 2 == 1;
          for (int k = 0; k < 2; k++) {
            boolean logging = (k == 0) == onFirst;
            long cpuBefore = cpuMillis(logging ? on : off);
            LoadGenerator.Result res =
                LoadGenerator.fixedRate(logging ? onClient : offClient, 8, 2000, seconds);
            long cpu = cpuMillis(logging ? on : off) - cpuBefore;
            if (logging) {
              onCpu += cpu;
            } else {
              offCpu += cpu;
            }
            (logging ? onRuns : offRuns).add(res);
            if (logging) {
              onCalls += res.calls();
            }
            report.add(
                String.format(
                    Locale.ROOT,
                    "| %d | %s | %d | %d | %.0f | %.2f | %.2f | %.2f |",
                    r + 1,
                    logging ? "on" : "off",
                    res.calls(),
                    res.errors(),
                    res.rate(),
                    res.percentileMillis(50),
                    res.percentileMillis(99),
                    res.percentileMillis(99.9)));
            System.out.println(report.get(report.size() - 1));
          }
        }
      } finally {
        off.destroy();
        on.destroy(); // SIGTERM: the server closes its log file
        off.waitFor();
        on.waitFor();
      }
      long lines = 0;
      long bytes = 0;
      int files = 0;
      if (Files.isDirectory(logDir)) {
        try (Stream<Path> s = Files.list(logDir)) {
          for (Path f : s.toList()) {
            if (f.getFileName().toString().endsWith(".jsonl")) {
              files++;
              bytes += Files.size(f);
              try (Stream<String> l = Files.lines(f, StandardCharsets.UTF_8)) {
                lines += l.count();
              }
            }
          }
        }
      }
      LoadGenerator.Result offAll = pooled(offRuns);
      LoadGenerator.Result onAll = pooled(onRuns);
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = onRuns.get(r).percentileMillis(99) / offRuns.get(r).percentileMillis(99);
      }
      java.util.Arrays.sort(ratios);
      report.add("");
      report.add("All rounds' calls together, per server:");
      report.add("");
      report.add("| log | calls | p50 ms | p99 ms | p99.9 ms |");
      report.add("|---|---|---|---|---|");
      for (boolean logging : new boolean[] {false, true}) {
        LoadGenerator.Result all = logging ? onAll : offAll;
        report.add(
            String.format(
                Locale.ROOT,
                "| %s | %d | %.2f | %.2f | %.2f |",
                logging ? "on (sample rate " + sampleRate + ")" : "off",
                all.calls(),
                all.percentileMillis(50),
                all.percentileMillis(99),
                all.percentileMillis(99.9)));
      }
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "p99 with the log on over p99 with it off: **%.2fx** over all calls; the median of"
                  + " the rounds' ratios (each round runs both, back to back) is %.2fx, rounds from"
                  + " %.2fx to %.2fx. Goal: at most 1.10x.",
              onAll.percentileMillis(99) / offAll.percentileMillis(99),
              rounds % 2 == 1
                  ? ratios[rounds / 2]
                  : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2,
              ratios[0],
              ratios[rounds - 1]));
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "Server CPU (user + system, from /proc) per 1,000 requests over the measured rounds:"
                  + " log off %.1f ms, log on %.1f ms (%+.0f%%).",
              offCpu * 1000.0 / offAll.calls(),
              onCpu * 1000.0 / onAll.calls(),
              100.0 * ((double) onCpu / onAll.calls() / ((double) offCpu / offAll.calls()) - 1)));
      ServerProcess.Pauses offGc = ServerProcess.pauses(work.resolve("server-off.log"));
      ServerProcess.Pauses onGc = ServerProcess.pauses(work.resolve("server-on.log"));
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "GC pauses over the whole run (warm-up included): log off %d pauses, %.0f ms in all;"
                  + " log on %d pauses, %.0f ms in all.",
              offGc.count(),
              offGc.millis(),
              onGc.count(),
              onGc.millis()));
      report.add("");
      report.add(
          String.format(
              Locale.ROOT,
              "The logged server answered %d calls (warm-up included) and its closed files hold %d"
                  + " lines (%s): %d files, %.1f MB, %.0f bytes a request.",
              onCalls,
              lines,
              lines == onCalls ? "none dropped" : (onCalls - lines) + " missing",
              files,
              bytes / 1e6,
              lines == 0 ? 0.0 : (double) bytes / lines));
    }
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.write(out, report, StandardCharsets.UTF_8);
    System.out.println(String.join("\n", report));
  }

  /** A process's CPU time so far (user + system), from /proc/PID/stat; 0 where there is none. */
  static long cpuMillis(Process p) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
      return ticks * 10; // USER_HZ is 100 on Linux
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  /** The runs as one: every call's latency, sorted. */
  private static LoadGenerator.Result pooled(List<LoadGenerator.Result> runs) {
    long calls = 0;
    long errors = 0;
    double seconds = 0;
    int n = 0;
    for (LoadGenerator.Result r : runs) {
      calls += r.calls();
      errors += r.errors();
      seconds += r.seconds();
      n += r.latencies().length;
    }
    long[] all = new long[n];
    int at = 0;
    for (LoadGenerator.Result r : runs) {
      System.arraycopy(r.latencies(), 0, all, at, r.latencies().length);
      at += r.latencies().length;
    }
    java.util.Arrays.sort(all);
    return new LoadGenerator.Result(calls, errors, seconds, all);
  }
}
