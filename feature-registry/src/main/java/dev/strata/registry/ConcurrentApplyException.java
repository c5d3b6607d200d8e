package dev.strata.registry;

/** Another apply committed first, too many times in a row; nothing was written by this one. */
public class ConcurrentApplyException extends RuntimeException {
  public ConcurrentApplyException(String message) {
    super(message);
  }
}
