package dev.strata.server;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reach a controller still answer in problem+json: what Tomcat refuses before
 * routing (a bad escape, {@code %2F}, an over-long URL, a garbage request line) and what ends in
 * the servlet container's {@code /error} (bad chunked encoding). Bodies over the size limit are
 * {@link RequestBodies}' business.
 */
@Configuration
public class HttpErrors {

  /** Replaces Tomcat's HTML error report with problem+json, for errors before any servlet. */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReport() {
    // runs after Boot's own customizer (lowest precedence), which adds a plain ErrorReportValve
    return factory ->
        factory.addContextCustomizers(
            context -> {
              Pipeline pipeline = context.getParent().getPipeline();
              for (Valve v : pipeline.getValves()) {
                if (v instanceof ErrorReportValve) {
                  pipeline.removeValve(v);
                }
              }
              pipeline.addValve(new ProblemReportValve());
              if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
              }
            });
  }

  /** Tomcat's error report, as problem+json without any server detail. */
  public static final class ProblemReportValve extends ErrorReportValve {
    @Override
    protected void report(Request request, Response response, Throwable throwable) {
      int status = response.getStatus();
      if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
        return;
      }
      HttpStatus known = HttpStatus.resolve(status);
      String title = known == null ? "Error" : known.getReasonPhrase();
      String detail =
          status == 400
              ? "The request could not be parsed: a malformed request line, URL or header"
              : known == null ? "The request failed" : known.getReasonPhrase();
      try {
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        Writer w = response.getReporter();
        if (w != null) {
          w.write(
              "{\"type\":\"https://strata.dev/problems/"
                  + title.toLowerCase().replace(' ', '-')
                  + "\",\"title\":\""
                  + title
                  + "\",\"status\":"
                  + status
                  + ",\"detail\":\""
                  + detail
                  + "\"}");
          response.finishResponse();
        }
      } catch (IOException | IllegalStateException e) {
        // the client is gone, or the response cannot take a body: nothing more to say
      }
    }
  }

  /** What the servlet container routes to {@code /error}: a problem with the status it had. */
  @RestController
  static class ProblemErrorController implements ErrorController {
    @RequestMapping("/error")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
      Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
      HttpStatus status =
          code instanceof Integer i && HttpStatus.resolve(i) != null
              ? HttpStatus.valueOf(i)
              : HttpStatus.INTERNAL_SERVER_ERROR;
      String detail =
          status == HttpStatus.BAD_REQUEST
              ? "The request could not be read (malformed body or encoding)"
              : status == HttpStatus.NOT_FOUND
                  ? "No endpoint at this path"
                  : status.getReasonPhrase();
      return ResponseEntity.status(status)
          .contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(Problems.problem(status, status.getReasonPhrase(), detail));
    }
  }
}
