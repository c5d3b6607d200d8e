package dev.strata.server;

/** A client error: the message says what is wrong and where; answered as a 400 problem. */
public class BadRequest extends RuntimeException {
  public BadRequest(String message) {
    super(message);
  }
}
