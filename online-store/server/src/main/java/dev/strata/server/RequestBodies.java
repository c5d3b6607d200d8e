package dev.strata.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;

/**
 * Request bodies, before anything parses them: bounded in size, and never waited for on a request
 * thread.
 *
 * <ul>
 *   <li>A {@code Content-Length} over {@code strata.max-body-bytes} is a 413 at once, before the
 *       body is read; a chunked body is refused as soon as it passes the limit.
 *   <li>A body that has fully arrived with its headers (the usual case, told by Tomcat's own buffer
 *       in {@link BodyArrival}) is read on the request thread as it is, at no extra cost.
 *   <li>A body still on its way is read without blocking (Servlet non-blocking I/O): the thread
 *       goes back to the pool, the bytes are collected as they come, and the request is dispatched
 *       again, unchanged but for its buffered body, once they are all there. A slow or stalled
 *       client thus holds a connection, never a thread, and cannot starve normal requests; one that
 *       has not sent its whole body within {@code strata.body-timeout} gets a 408.
 * </ul>
 */
@Configuration
public class RequestBodies {
  /** Marks, before any filter, the requests whose body has not fully arrived with their headers. */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> bodyArrival() {
    return factory -> factory.addContextValves(new BodyArrival());
  }

  private static final String PENDING = RequestBodies.class.getName() + ".pending";

  /**
   * Tells, without reading, whether Tomcat has buffered a request's whole body already: the bytes
   * that arrived with the headers cover its {@code Content-Length}. Only Tomcat knows this; the
   * servlet API's {@code available()} answers 0 or 1.
   */
  static final class BodyArrival extends ValveBase {
    BodyArrival() {
      super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
      long length = request.getContentLengthLong();
      if (length > 0) {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        coyote.action(ActionCode.AVAILABLE, Boolean.FALSE);
        if (coyote.getAvailable() < length) {
          request.setAttribute(PENDING, Boolean.TRUE);
        }
      }
      getNext().invoke(request, response);
    }
  }

  /** First of all filters, so the rest see a complete body. */
  @Bean
  FilterRegistrationBean<Reader> requestBodyReader(
      StrataServer.Settings settings, ObjectMapper json) {
    FilterRegistrationBean<Reader> b =
        new FilterRegistrationBean<>(
            new Reader(settings.maxBodyBytes(), settings.bodyTimeout(), json));
    b.setOrder(Ordered.HIGHEST_PRECEDENCE);
    b.setAsyncSupported(true);
    b.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
    return b;
  }

  /** The request as it first came, kept for its dispatch once the body is in. */
  private record Arrived(
      byte[] body,
      String uri,
      StringBuffer url,
      String servletPath,
      String pathInfo,
      String query) {}

  private static final String ARRIVED = RequestBodies.class.getName() + ".arrived";

  /** A plain filter (no once-per-request bookkeeping): it runs on the hot path of every request. */
  static final class Reader implements Filter {
    private final long limit;
    private final Duration timeout;
    private final ObjectMapper json;

    Reader(long limit, Duration timeout, ObjectMapper json) {
      this.limit = limit;
      this.timeout = timeout;
      this.json = json;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
        throws IOException, ServletException {
      HttpServletRequest request = (HttpServletRequest) req;
      HttpServletResponse response = (HttpServletResponse) res;
      if (request.getDispatcherType() == DispatcherType.ASYNC
          && request.getAttribute(ARRIVED) instanceof Arrived a) {
        request.removeAttribute(ARRIVED);
        chain.doFilter(new Buffered(request, a), response);
        return;
      }
      long length = request.getContentLengthLong();
      if (length > limit) {
        tooLarge(
            response,
            "the request body has " + length + " bytes; at most " + limit + " are allowed");
        return;
      }
      boolean chunked = length < 0 && request.getHeader("Transfer-Encoding") != null;
      if (length <= 0 && !chunked) {
        chain.doFilter(request, response);
        return;
      }
      if (!chunked && request.getAttribute(PENDING) == null) {
        chain.doFilter(
            request, response); // all here already (or not on Tomcat): nothing to wait for
        return;
      }
      readWithoutBlocking(request, response);
    }

    private void readWithoutBlocking(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      AsyncContext async = request.startAsync(request, response);
      async.setTimeout(timeout.toMillis());
      AtomicBoolean done = new AtomicBoolean();
      async.addListener(
          new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) throws IOException {
              if (done.compareAndSet(false, true)) {
                response.setHeader("Connection", "close");
                Problems.write(
                    response,
                    json,
                    Problems.problem(
                        HttpStatus.REQUEST_TIMEOUT,
                        "Request timeout",
                        "the request body did not arrive within " + timeout));
                async.complete();
              }
            }

            @Override
            public void onComplete(AsyncEvent event) {}

            @Override
            public void onError(AsyncEvent event) {}

            @Override
            public void onStartAsync(AsyncEvent event) {}
          });
      ServletInputStream in = request.getInputStream();
      long length = request.getContentLengthLong();
      ByteArrayOutputStream body = new ByteArrayOutputStream(length > 0 ? (int) length : 4096);
      in.setReadListener(
          new ReadListener() {
            @Override
            public void onDataAvailable() throws IOException {
              byte[] b = new byte[8192];
              while (!done.get() && in.isReady()) {
                int n = in.read(b);
                if (n < 0) {
                  return;
                }
                body.write(b, 0, n);
                if (body.size() > limit && done.compareAndSet(false, true)) {
                  tooLarge(response, "the request body is larger than " + limit + " bytes");
                  async.complete();
                  return;
                }
              }
            }

            @Override
            public void onAllDataRead() {
              if (done.compareAndSet(false, true)) {
                request.setAttribute(
                    ARRIVED,
                    new Arrived(
                        body.toByteArray(),
                        request.getRequestURI(),
                        request.getRequestURL(),
                        request.getServletPath(),
                        request.getPathInfo(),
                        request.getQueryString()));
                async.dispatch();
              }
            }

            @Override
            public void onError(Throwable t) {
              // the client went away or broke its framing: nobody is left to answer
              if (done.compareAndSet(false, true)) {
                try {
                  response.setHeader("Connection", "close");
                  Problems.write(
                      response,
                      json,
                      Problems.problem(
                          HttpStatus.BAD_REQUEST,
                          "Bad request",
                          "the request body could not be read"));
                } catch (IOException | IllegalStateException e) {
                  // nothing more to do
                }
                async.complete();
              }
            }
          });
    }

    private void tooLarge(HttpServletResponse response, String detail) throws IOException {
      response.setHeader("Connection", "close");
      Problems.write(
          response,
          json,
          Problems.problem(HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large", detail));
    }
  }

  /**
   * The request as it first came (its own path, a REQUEST dispatch), with its body from memory:
   * what every later filter, the security rules and the controllers see after a slow body.
   */
  static final class Buffered extends HttpServletRequestWrapper {
    private final Arrived arrived;

    Buffered(HttpServletRequest request, Arrived arrived) {
      super(request);
      this.arrived = arrived;
    }

    @Override
    public DispatcherType getDispatcherType() {
      return DispatcherType.REQUEST;
    }

    @Override
    public String getRequestURI() {
      return arrived.uri();
    }

    @Override
    public StringBuffer getRequestURL() {
      return new StringBuffer(arrived.url());
    }

    @Override
    public String getServletPath() {
      return arrived.servletPath();
    }

    @Override
    public String getPathInfo() {
      return arrived.pathInfo();
    }

    @Override
    public String getQueryString() {
      return arrived.query();
    }

    @Override
    public int getContentLength() {
      return arrived.body().length;
    }

    @Override
    public long getContentLengthLong() {
      return arrived.body().length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(arrived.body());
      return new ServletInputStream() {
        @Override
        public int read() {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new IllegalStateException("the body is already read");
        }
      };
    }

    @Override
    public java.io.BufferedReader getReader() {
      return new java.io.BufferedReader(
          new java.io.InputStreamReader(
              getInputStream(),
              java.nio.charset.Charset.forName(
                  getCharacterEncoding() == null ? "UTF-8" : getCharacterEncoding())));
    }
  }
}
