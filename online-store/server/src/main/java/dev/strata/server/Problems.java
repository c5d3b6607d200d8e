package dev.strata.server;

import dev.strata.errors.StrataException;
import dev.strata.online.RedisOnlineStore;
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
import redis.clients.jedis.exceptions.JedisException;

/**
 * Every error as RFC 9457 problem+json, mapped here only: each kind of {@link StrataException} to
 * its status (400 bad input or definition, 404 not found, 409 conflict, 503 unavailable), 503 while
 * Redis is away, and a 500 without internals for anything unexpected. Spring MVC's own errors
 * (malformed JSON, wrong method or media type) come through {@link ResponseEntityExceptionHandler}
 * as problems too.
 */
@RestControllerAdvice
public class Problems extends ResponseEntityExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);
  private final ServerMetrics metrics;

  public Problems(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  static ProblemDetail problem(HttpStatus status, String title, String detail) {
    ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
    p.setTitle(title);
    p.setType(URI.create("https://strata.dev/problems/" + title.toLowerCase().replace(' ', '-')));
    return p;
  }

  /** Writes a problem from outside Spring MVC (filters, security handlers). */
  static void write(
      jakarta.servlet.http.HttpServletResponse response,
      com.fasterxml.jackson.databind.ObjectMapper json,
      ProblemDetail p)
      throws java.io.IOException {
    response.setStatus(p.getStatus());
    response.setContentType("application/problem+json");
    if (p.getStatus() == HttpStatus.UNAUTHORIZED.value()) {
      response.setHeader("WWW-Authenticate", "ApiKey header=\"" + ApiKeys.HEADER + "\"");
    }
    json.writeValue(response.getOutputStream(), p);
  }

  @ExceptionHandler(StrataException.class)
  ResponseEntity<ProblemDetail> strata(StrataException e) {
    ProblemDetail p =
        switch (e.kind()) {
          case INVALID_INPUT -> problem(HttpStatus.BAD_REQUEST, "Bad request", e.getMessage());
          case INVALID_DEFINITION ->
              problem(HttpStatus.BAD_REQUEST, "Invalid definition", e.getMessage());
          case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage());
          case CONFLICT -> problem(HttpStatus.CONFLICT, "Conflict", e.getMessage());
          case UNAVAILABLE -> {
            // the message may name hosts; the log has it, the client gets no internals
            LOG.warn("Unavailable: {}", e.getMessage());
            yield problem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "Unavailable",
                "A service the feature server needs (its registry or online store) cannot be reached; try again shortly");
          }
        };
    ResponseEntity.BodyBuilder r = ResponseEntity.status(p.getStatus());
    if (e.kind() == StrataException.Kind.UNAVAILABLE) {
      r = r.header(HttpHeaders.RETRY_AFTER, "1");
    }
    return r.contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(p);
  }

  @ExceptionHandler(JedisException.class)
  ResponseEntity<ProblemDetail> redis(JedisException e) {
    return unavailable(e);
  }

  /** A 503 that says what went wrong with Redis, without its address or credentials. */
  private ResponseEntity<ProblemDetail> unavailable(JedisException e) {
    metrics.redisErrors.increment();
    String detail =
        switch (RedisOnlineStore.failure(e)) {
          case NO_PASSWORD, WRONG_CREDENTIALS -> {
            LOG.error(
                "Redis refused the server's credentials (strata.redis-url): {}", e.getMessage());
            yield "The online store (Redis) refused the server's credentials";
          }
          case TIMEOUT -> {
            warn("Redis did not answer in time: {}", e);
            yield "The online store (Redis) did not answer within the request deadline; try again shortly";
          }
          case UNAVAILABLE -> {
            warn("Redis unavailable: {}", e);
            yield "The online store (Redis) cannot be reached; try again shortly";
          }
        };
    ProblemDetail p = problem(HttpStatus.SERVICE_UNAVAILABLE, "Online store unavailable", detail);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header(HttpHeaders.RETRY_AFTER, "1")
        .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(p);
  }

  private final java.util.concurrent.atomic.AtomicLong lastWarning =
      new java.util.concurrent.atomic.AtomicLong();

  /**
   * At most one warning a second: under overload every request may fail alike, and a log line each
   * would cost more than the request. strata_redis_errors_total counts them all.
   */
  private void warn(String message, JedisException e) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last > 1_000_000_000L && lastWarning.compareAndSet(last, now)) {
      LOG.warn(message, e.toString());
    }
  }

  @ExceptionHandler(Exception.class)
  Object unexpected(Exception e) {
    if (e.getCause() instanceof JedisException j) {
      return unavailable(j);
    }
    LOG.error("Unexpected error", e);
    return problem(
        HttpStatus.INTERNAL_SERVER_ERROR, "Internal error", "An unexpected error occurred");
  }

  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception ex,
      Object body,
      HttpHeaders headers,
      HttpStatusCode statusCode,
      WebRequest request) {
    // no exception class names or parser internals in the answer
    if (body == null && ex instanceof org.springframework.web.ErrorResponse er) {
      body = er.getBody();
    }
    if (ex instanceof org.springframework.http.converter.HttpMessageNotReadableException
        && body instanceof ProblemDetail p) {
      p.setDetail("The request body is not valid JSON of the expected shape");
    }
    if (ex instanceof org.springframework.web.HttpMediaTypeNotSupportedException m
        && m.getContentType() == null
        && body instanceof ProblemDetail p) {
      p.setDetail("The request has no Content-Type; send Content-Type: application/json");
    }
    return super.handleExceptionInternal(ex, body, headers, statusCode, request);
  }
}
