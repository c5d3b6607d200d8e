package dev.strata.offline;

import dev.strata.errors.UnavailableException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Files at a location on any Hadoop file system (local, HDFS, S3), with the session's Hadoop
 * configuration. A file system that cannot be reached is an error, never "absent": a writer that
 * took it for an empty location could replace a whole table.
 */
public final class HadoopFs {
  private HadoopFs() {}

  /**
   * Whether {@code location/child} (or {@code location} when {@code child} is null) is a directory.
   */
  public static boolean isDirectory(SparkSession spark, String location, String child) {
    Path p = child == null ? new Path(location) : new Path(location, child);
    try {
      return fs(spark, p).getFileStatus(p).isDirectory();
    } catch (FileNotFoundException e) {
      return false;
    } catch (IOException e) {
      throw unreachable(p, e);
    }
  }

  /** Whether anything is at the location; a glob ({@code dir/*.parquet}) must match something. */
  public static boolean exists(SparkSession spark, String location) {
    Path p = new Path(location);
    try {
      FileStatus[] matches = fs(spark, p).globStatus(p);
      return matches != null && matches.length > 0;
    } catch (IOException e) {
      throw unreachable(p, e);
    }
  }

  /** Writes a whole file, replacing one that is there. */
  public static void write(SparkSession spark, String location, byte[] content) {
    Path p = new Path(location);
    try (OutputStream out = fs(spark, p).create(p, true)) {
      out.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
    }
  }

  private static FileSystem fs(SparkSession spark, Path p) throws IOException {
    return p.getFileSystem(spark.sparkContext().hadoopConfiguration());
  }

  private static UnavailableException unreachable(Path p, IOException e) {
    return new UnavailableException("cannot reach " + p + ": " + e.getMessage(), e);
  }
}
