package dev.strata.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * API keys with roles, from {@code strata.api-keys} ({@code key: role}): {@code read} &lt;
 * {@code write} &lt; {@code admin}. Endpoints that change state need {@code write} (pushing
 * values) or more; reads need {@code read} only when {@code strata.keyed-reads} is on. The key
 * comes in the {@code X-API-Key} header; a missing key is a 401, a weak one a 403.
 */
@Component
public class ApiKeys extends OncePerRequestFilter {
  static final String HEADER = "X-API-Key";
  static final List<String> ROLES = List.of("read", "write", "admin");

  private final StrataServer.Settings settings;
  private final ObjectMapper json;

  public ApiKeys(StrataServer.Settings settings, ObjectMapper json) {
    this.settings = settings;
    this.json = json;
  }

  /** The role a request needs, or null for none. */
  String needs(HttpServletRequest request) {
    String path = request.getRequestURI();
    if (path.startsWith("/v1/features/push")) {
      return "write";
    }
    if (path.startsWith("/actuator") && !path.equals("/actuator/health") && !path.startsWith("/actuator/health/")
        && !path.equals("/actuator/prometheus")) {
      return "admin";
    }
    if (settings.keyedReads() && (path.startsWith("/v1/") || path.startsWith("/get-online-features"))) {
      return "read";
    }
    return null;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String needed = needs(request);
    if (needed == null) {
      chain.doFilter(request, response);
      return;
    }
    String key = request.getHeader(HEADER);
    if (key == null || key.isBlank()) {
      deny(response, HttpStatus.UNAUTHORIZED, "Unauthorized", "this endpoint needs an API key with role '" + needed
          + "' in the " + HEADER + " header");
      return;
    }
    String role = settings.apiKeys().get(key);
    if (role == null) {
      deny(response, HttpStatus.UNAUTHORIZED, "Unauthorized", "unknown API key");
      return;
    }
    if (ROLES.indexOf(role) < ROLES.indexOf(needed)) {
      deny(response, HttpStatus.FORBIDDEN, "Forbidden", "this endpoint needs role '" + needed + "'; the key has '" + role + "'");
      return;
    }
    chain.doFilter(request, response);
  }

  private void deny(HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
    ProblemDetail p = Problems.problem(status, title, detail);
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    if (status == HttpStatus.UNAUTHORIZED) {
      response.setHeader("WWW-Authenticate", "ApiKey header=\"" + HEADER + "\"");
    }
    json.writeValue(response.getOutputStream(), p);
  }
}
