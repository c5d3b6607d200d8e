package dev.strata.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.server.ApiKeys.Role;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.autoconfigure.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.context.AbstractSecurityWebApplicationInitializer;
import org.springframework.security.web.context.NullSecurityContextRepository;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may call what. Authorization is decided by Spring Security on the path as the router matches
 * it (decoded and normalised), never on the raw request URI, and the request firewall refuses
 * encoded slashes, dot segments, {@code ;} parameters and similar paths before any matching. Every
 * endpoint that changes state or administers the server needs a key; anything not listed below
 * needs {@code admin} (denied by default).
 *
 * <ul>
 *   <li>{@code /v1/features/push}: {@code write};
 *   <li>reads ({@code /v1/features/online}, {@code /get-online-features}, {@code /v1/registry/**},
 *       {@code /v1/lineage}, {@code /v3/api-docs}): open, or {@code read} with {@code
 *       strata.keyed-reads=true};
 *   <li>{@code /actuator/health} and {@code /actuator/prometheus}: open (health details only for
 *       {@code admin});
 *   <li>every other actuator endpoint, and anything else: {@code admin}.
 * </ul>
 *
 * Refusals are problem+json: 401 without a key or with an unknown one, 403 for a weaker role, 400
 * for a path the firewall rejects.
 */
@Configuration
public class ServerSecurity {
  /** An access rule: requests that match need the role (null: open to all). */
  record Rule(RequestMatcher matcher, Role role) {}

  /** The feature reads, the serving hot path. */
  static final Set<String> OPEN_READS = Set.of("/v1/features/online", "/get-online-features");

  static List<Rule> rules(StrataServer.Settings settings) {
    PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
    Role reads = settings.keyedReads() ? Role.READ : null;
    List<Rule> rules = new ArrayList<>();
    rules.add(new Rule(path.matcher("/v1/features/push"), Role.WRITE));
    for (String p : OPEN_READS) {
      rules.add(new Rule(path.matcher(p), reads));
    }
    for (String p : List.of("/v1/registry/**", "/v1/lineage", "/v3/api-docs", "/v3/api-docs/**")) {
      rules.add(new Rule(path.matcher(p), reads));
    }
    rules.add(new Rule(EndpointRequest.to(HealthEndpoint.class), null));
    rules.add(new Rule(EndpointRequest.to("prometheus"), null));
    rules.add(new Rule(request -> true, Role.ADMIN));
    return rules;
  }

  @Bean
  SecurityFilterChain securityFilterChain(
      HttpSecurity http,
      ApiKeys keys,
      StrataServer.Settings settings,
      ObjectMapper json,
      MeterRegistry meters)
      throws Exception {
    List<Rule> rules = rules(settings);
    http.csrf(AbstractHttpConfigurer::disable)
        .httpBasic(AbstractHttpConfigurer::disable)
        .formLogin(AbstractHttpConfigurer::disable)
        .logout(AbstractHttpConfigurer::disable)
        .requestCache(AbstractHttpConfigurer::disable)
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .securityContext(c -> c.securityContextRepository(new NullSecurityContextRepository()))
        .addFilterBefore(new KeyFilter(keys, json), AnonymousAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) -> {
                          meters.counter("strata.auth.refused", "status", "401").increment();
                          Problems.write(
                              response,
                              json,
                              unauthorized(
                                  "this endpoint needs an API key with role '"
                                      + needed(rules, request).map(Role::label).orElse("read")
                                      + "' in the "
                                      + ApiKeys.HEADER
                                      + " header"));
                        })
                    .accessDeniedHandler(
                        (request, response, ex) -> {
                          meters.counter("strata.auth.refused", "status", "403").increment();
                          String has = roleOf();
                          Problems.write(
                              response,
                              json,
                              Problems.problem(
                                  HttpStatus.FORBIDDEN,
                                  "Forbidden",
                                  "this endpoint needs role '"
                                      + needed(rules, request).map(Role::label).orElse("admin")
                                      + "'; the key has '"
                                      + has
                                      + "'"));
                        }))
        .authorizeHttpRequests(
            a -> {
              a.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
              for (Rule r : rules) {
                if (r.role() == null) {
                  a.requestMatchers(r.matcher()).permitAll();
                } else {
                  a.requestMatchers(r.matcher()).hasAuthority(authority(r.role()));
                }
              }
            });
    return http.build();
  }

  /**
   * No Spring Security observations: wrapping every filter in one cost about a third of the
   * single-entity lookup throughput (wrk, 16 connections: 2,236 requests/s with them, 3,345
   * without), and the request histograms and {@code strata_auth_refused_total} tell what matters.
   */
  @Bean
  SecurityObservationSettings securityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  /**
   * Registers Spring Security's filter (in place of Boot's registration), except for open feature
   * reads, the hot path: with {@code strata.keyed-reads} off nothing there needs deciding, and the
   * security filter (its firewall's header checks and a second handler-mapping lookup for every
   * request) cost about 12% of a single-entity lookup (JFR, per request). A read is told by its
   * request URI exactly as sent, so nothing else can pass for one; any other spelling of a read
   * (encodings, dot segments, doubled slashes, ...) meets the firewall and the rules ({@code
   * FeatureServerTest.openReadsOpenNothingElse}).
   */
  @Bean
  FilterRegistrationBean<Filter> securityFilterRegistration(
      @Qualifier(AbstractSecurityWebApplicationInitializer.DEFAULT_FILTER_NAME) Filter security,
      StrataServer.Settings settings) {
    // exactly as written, no decoding: any other spelling of a read meets the filters
    Set<String> open = settings.keyedReads() ? Set.of() : OPEN_READS;
    Filter filter =
        (request, response, chain) -> {
          if (open.contains(((HttpServletRequest) request).getRequestURI())) {
            chain.doFilter(request, response);
          } else {
            security.doFilter(request, response, chain);
          }
        };
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
    registration.setName("strataSecurityFilter");
    registration.setOrder(SecurityProperties.DEFAULT_FILTER_ORDER);
    registration.setDispatcherTypes(
        DispatcherType.REQUEST, DispatcherType.ASYNC, DispatcherType.ERROR);
    return registration;
  }

  /** Keeps Boot from registering Spring Security's filter bean a second time, for every path. */
  @Bean
  FilterRegistrationBean<Filter> springSecurityFilterChainNotRegisteredDirectly(
      @Qualifier(AbstractSecurityWebApplicationInitializer.DEFAULT_FILTER_NAME) Filter security) {
    FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(security);
    registration.setEnabled(false);
    return registration;
  }

  /** Paths the firewall refuses (encoded slashes, dot segments, ...): a 400 problem. */
  @Bean
  RequestRejectedHandler requestRejectedHandler(ObjectMapper json) {
    return (request, response, e) ->
        Problems.write(
            response,
            json,
            Problems.problem(
                HttpStatus.BAD_REQUEST,
                "Bad request",
                "the request path is not allowed (encoded slashes, dot segments, ';' parameters,"
                    + " doubled slashes and control characters are refused)"));
  }

  private static Optional<Role> needed(List<Rule> rules, HttpServletRequest request) {
    for (Rule r : rules) {
      if (r.matcher().matches(request)) {
        return Optional.ofNullable(r.role());
      }
    }
    return Optional.empty();
  }

  private static String roleOf() {
    var auth = SecurityContextHolder.getContext().getAuthentication();
    return auth == null || !(auth.getDetails() instanceof Role r) ? "none" : r.label();
  }

  static String authority(Role role) {
    return "ROLE_" + role.name();
  }

  static ProblemDetail unauthorized(String detail) {
    return Problems.problem(HttpStatus.UNAUTHORIZED, "Unauthorized", detail);
  }

  /**
   * Authenticates a request that carries {@code X-API-Key}: a known key gets its role and every
   * weaker one; an unknown key is a 401 at once. A request without the header goes on as anonymous,
   * and the rules decide.
   */
  static final class KeyFilter extends OncePerRequestFilter {
    private final ApiKeys keys;
    private final ObjectMapper json;

    KeyFilter(ApiKeys keys, ObjectMapper json) {
      this.keys = keys;
      this.json = json;
    }

    @Override
    protected void doFilterInternal(
        HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      String presented = request.getHeader(ApiKeys.HEADER);
      if (presented == null) {
        chain.doFilter(request, response);
        return;
      }
      Optional<ApiKeys.Key> key = keys.find(presented);
      if (key.isEmpty()) {
        Problems.write(response, json, unauthorized("unknown API key"));
        return;
      }
      List<SimpleGrantedAuthority> authorities = new ArrayList<>();
      for (Role r : Role.values()) {
        if (r.ordinal() <= key.get().role().ordinal()) {
          authorities.add(new SimpleGrantedAuthority(authority(r)));
        }
      }
      UsernamePasswordAuthenticationToken auth =
          UsernamePasswordAuthenticationToken.authenticated(key.get().id(), null, authorities);
      auth.setDetails(key.get().role());
      SecurityContextHolder.getContext().setAuthentication(auth);
      try {
        chain.doFilter(request, response);
      } finally {
        SecurityContextHolder.clearContext();
      }
    }
  }
}
