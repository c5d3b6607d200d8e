package dev.strata.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Errors that never reach a controller still answer in problem+json: what Tomcat refuses before
 * routing (a bad escape, {@code %2F}, an over-long URL, a garbage request line), what ends in
 * the servlet container's {@code /error} (bad chunked encoding), and bodies over the size limit
 * (413, refused from {@code Content-Length} before any parsing, or as soon as a chunked body
 * passes the limit).
 */
@Configuration
public class HttpErrors {

  /** Replaces Tomcat's HTML error report with problem+json, for errors before any servlet. */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReport() {
    // runs after Boot's own customizer (lowest precedence), which adds a plain ErrorReportValve
    return factory -> factory.addContextCustomizers(context -> {
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
      String detail = status == 400 ? "The request could not be parsed: a malformed request line, URL or header"
          : known == null ? "The request failed" : known.getReasonPhrase();
      try {
        response.setContentType("application/problem+json");
        response.setCharacterEncoding("UTF-8");
        Writer w = response.getReporter();
        if (w != null) {
          w.write("{\"type\":\"https://strata.dev/problems/" + title.toLowerCase().replace(' ', '-') + "\",\"title\":\""
              + title + "\",\"status\":" + status + ",\"detail\":\"" + detail + "\"}");
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
      HttpStatus status = code instanceof Integer i && HttpStatus.resolve(i) != null ? HttpStatus.valueOf(i)
          : HttpStatus.INTERNAL_SERVER_ERROR;
      String detail = status == HttpStatus.BAD_REQUEST ? "The request could not be read (malformed body or encoding)"
          : status == HttpStatus.NOT_FOUND ? "No endpoint at this path" : status.getReasonPhrase();
      return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(Problems.problem(status, status.getReasonPhrase(), detail));
    }
  }

  /** A body over the limit: answered as a 413 problem. */
  static final class BodyTooLarge extends RuntimeException {
    BodyTooLarge(long limit) {
      super("the request body is larger than " + limit + " bytes");
    }
  }

  /** Limits request bodies before any parsing; first of all filters. */
  @Bean
  FilterRegistrationBean<BodyLimit> bodyLimit(StrataServer.Settings settings, ObjectMapper json) {
    FilterRegistrationBean<BodyLimit> b = new FilterRegistrationBean<>(new BodyLimit(settings.maxBodyBytes(), json));
    b.setOrder(Ordered.HIGHEST_PRECEDENCE);
    return b;
  }

  static final class BodyLimit extends OncePerRequestFilter {
    private final long limit;
    private final ObjectMapper json;

    BodyLimit(long limit, ObjectMapper json) {
      this.limit = limit;
      this.json = json;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      long length = request.getContentLengthLong();
      if (length > limit) {
        response.setHeader("Connection", "close");
        Problems.write(response, json, Problems.problem(HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large",
            "the request body has " + length + " bytes; at most " + limit + " are allowed"));
        return;
      }
      chain.doFilter(length >= 0 ? request : new Limited(request, limit), response);
    }
  }

  /** A request whose body (of unknown length) fails once it passes the limit. */
  static final class Limited extends HttpServletRequestWrapper {
    private final long limit;
    private ServletInputStream in;

    Limited(HttpServletRequest request, long limit) {
      super(request);
      this.limit = limit;
    }

    @Override
    public ServletInputStream getInputStream() throws IOException {
      if (in == null) {
        ServletInputStream raw = super.getInputStream();
        in = new ServletInputStream() {
          long read;

          private int count(int n) {
            if (n > 0 && (read += n) > limit) {
              throw new BodyTooLarge(limit);
            }
            return n;
          }

          @Override
          public int read() throws IOException {
            int b = raw.read();
            if (b >= 0) {
              count(1);
            }
            return b;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return count(raw.read(b, off, len));
          }

          @Override
          public boolean isFinished() {
            return raw.isFinished();
          }

          @Override
          public boolean isReady() {
            return raw.isReady();
          }

          @Override
          public void setReadListener(ReadListener listener) {
            raw.setReadListener(listener);
          }
        };
      }
      return in;
    }
  }
}
