package dev.strata.server;

import dev.strata.errors.InvalidInputException;

/** A client error: the message says what is wrong and where; answered as a 400 problem. */
public class BadRequest extends InvalidInputException {
  public BadRequest(String message) {
    super(message);
  }
}
