package dev.strata.training;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --gpu} needs, checked before any data is read: the Spark RAPIDS plugin and XGBoost's
 * GPU build on the classpath (runtime jars, as on GPU clusters: spark-submit {@code --jars}), and
 * an NVIDIA GPU with its driver. {@link #sparkConf} gives the settings that turn the plugin on;
 * XGBoost then trains with {@code device=cuda}.
 */
public final class GpuSupport {
  static final String RAPIDS_PLUGIN = "com.nvidia.spark.SQLPlugin";
  static final String XGBOOST_GPU = "ml.dmlc.xgboost4j.scala.spark.GpuXGBoostPlugin";

  private GpuSupport() {}

  /** What is missing for GPU training, in words; empty when nothing is. */
  public static List<String> missing() {
    List<String> out = new ArrayList<>();
    if (!present(RAPIDS_PLUGIN)) {
      out.add(
          "the Spark RAPIDS plugin ("
              + RAPIDS_PLUGIN
              + ": com.nvidia:rapids-4-spark_2.12:25.04.0, pass it with"
              + " spark-submit --jars or put it in STRATA_EXTRA_JARS)");
    }
    if (!present(XGBOOST_GPU)) {
      out.add(
          "XGBoost's GPU build ("
              + XGBOOST_GPU
              + ": ml.dmlc:xgboost4j-spark-gpu_2.12, in place of"
              + " xgboost4j-spark_2.12, with --jars or STRATA_EXTRA_JARS)");
    }
    if (!Files.exists(Path.of("/dev/nvidiactl"))
        && !Files.exists(Path.of("/proc/driver/nvidia/version"))) {
      out.add(
          "an NVIDIA GPU with its driver on this machine (no /dev/nvidiactl, no /proc/driver/nvidia)");
    }
    return out;
  }

  /** Throws, naming everything that is missing, unless GPU training can start. */
  public static void check() {
    List<String> missing = missing();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "--gpu cannot start; missing: "
              + String.join("; ", missing)
              + ". Nothing was read or written.");
    }
  }

  /** The Spark settings for the RAPIDS plugin; one GPU per executor, shared by its tasks. */
  public static Map<String, String> sparkConf(int coresPerExecutor) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.plugins", RAPIDS_PLUGIN);
    conf.put("spark.rapids.sql.enabled", "true");
    conf.put("spark.rapids.sql.concurrentGpuTasks", "1");
    conf.put("spark.rapids.memory.pinnedPool.size", "2g");
    conf.put("spark.executor.resource.gpu.amount", "1");
    conf.put(
        "spark.task.resource.gpu.amount", Double.toString(1.0 / Math.max(1, coresPerExecutor)));
    return conf;
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, GpuSupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
