package dev.strata.server;

import java.net.URI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Every error as RFC 9457 problem+json: 400 for bad input, 503 while Redis is away, and a 500
 * without internals for anything unexpected. Spring MVC's own errors (malformed JSON, wrong
 * method or media type) come through {@link ResponseEntityExceptionHandler} as problems too.
 */
@RestControllerAdvice
public class Problems extends ResponseEntityExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    p.setType(URI.create("https://strata.dev/problems/" + title.toLowerCase().replace(' ', '-')));
    return p;
  }

  @ExceptionHandler(BadRequest.class)
  ProblemDetail badRequest(BadRequest e) {
    return problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
  }

  @ExceptionHandler(JedisException.class)
  ResponseEntity<ProblemDetail> redis(JedisException e) {
    LOG.warn("Redis unavailable: {}", e.toString());
    io.micrometer.core.instrument.Metrics.counter("strata.redis.errors").increment();
    ProblemDetail p = problem(HttpStatus.SERVICE_UNAVAILABLE, "Online store unavailable",
        "The online store (Redis) cannot be reached; try again shortly");
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "1").body(p);
  }

  @ExceptionHandler(Exception.class)
  ProblemDetail unexpected(Exception e) {
    if (e.getCause() instanceof JedisConnectionException) {
      return problem(HttpStatus.SERVICE_UNAVAILABLE, "Online store unavailable",
          "The online store (Redis) cannot be reached; try again shortly");
    }
    LOG.error("Unexpected error", e);
    return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "An unexpected error occurred");
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    // no exception class names or parser internals in the answer
    if (ex instanceof org.springframework.http.converter.HttpMessageNotReadableException && body instanceof ProblemDetail p) {
      p.setDetail("The request body is not valid JSON of the expected shape");
    }
    return super.handleExceptionInternal(ex, body, headers, statusCode, request);
  }
}
