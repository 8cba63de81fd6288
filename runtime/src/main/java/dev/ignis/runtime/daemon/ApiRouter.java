package dev.ignis.runtime.daemon;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.ignis.runtime.daemon.http.Exchange;
import dev.ignis.runtime.daemon.http.UnixHttpServer;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;

/**
 * The API's routes, version 1 (docs/api.md is its reference). Every error is the one error
 * document of {@link Json#error}.
 */
@Singleton
final class ApiRouter implements UnixHttpServer.Handler {

  private final DaemonApi daemon;
  private final CliEndpoint cli;
  private final VmApi vms;

  @Inject
  ApiRouter(DaemonApi daemon, CliEndpoint cli, VmApi vms) {
    this.daemon = daemon;
    this.cli = cli;
    this.vms = vms;
  }

  @Override
  public void handle(Exchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (MethodNotAllowed e) {
      Json.error(exchange, e.error, 405);
    } catch (IgnisException e) {
      if (exchange.answered()) {
        throw new IOException("failed after answering: " + e.getMessage(), e);
      }
      Json.error(exchange, e);
    }
  }

  private void route(Exchange exchange) throws IOException {
    String method = exchange.request().method();
    String path = exchange.request().path();
    if (!path.startsWith("/v1/")) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "no resource " + path + "; this ignisd serves API version "
          + DaemonApi.API_VERSION + " under /v1/ (see docs/api.md)");
    }
    String[] parts = path.substring(4).split("/", -1);
    String first = parts[0];
    switch (parts.length + ":" + first) {
      case "1:version" -> only(method, "GET", exchange, path, () -> daemon.version(exchange));
      case "1:daemon" -> only(method, "GET", exchange, path, () -> daemon.status(exchange));
      case "1:plugins" -> only(method, "GET", exchange, path, () -> daemon.plugins(exchange));
      case "1:events" -> only(method, "GET", exchange, path, () -> daemon.events(exchange));
      case "1:cli" -> only(method, "POST", exchange, path, () -> cli.run(exchange));
      case "1:vms" -> {
        switch (method) {
          case "GET" -> vms.list(exchange);
          case "POST" -> vms.create(exchange);
          default -> throw notAllowed(method, path);
        }
      }
      case "2:daemon" -> {
        if (!parts[1].equals("stop")) {
          throw notFound(path);
        }
        only(method, "POST", exchange, path, () -> daemon.stop(exchange));
      }
      case "2:vms" -> {
        switch (method) {
          case "GET" -> vms.inspect(exchange, parts[1]);
          case "DELETE" -> vms.remove(exchange, parts[1]);
          default -> throw notAllowed(method, path);
        }
      }
      case "3:cli" -> {
        if (!parts[2].equals("cancel")) {
          throw notFound(path);
        }
        only(method, "POST", exchange, path, () -> cli.cancel(exchange, parts[1]));
      }
      case "3:vms" -> vmAction(exchange, method, path, parts[1], parts[2]);
      default -> throw notFound(path);
    }
  }

  private void vmAction(Exchange exchange, String method, String path, String vm, String action) throws IOException {
    switch (action) {
      case "start" -> only(method, "POST", exchange, path, () -> vms.start(exchange, vm));
      case "stop" -> only(method, "POST", exchange, path, () -> vms.stop(exchange, vm, false));
      case "kill" -> only(method, "POST", exchange, path, () -> vms.stop(exchange, vm, true));
      case "ports" -> {
        switch (method) {
          case "GET" -> vms.ports(exchange, vm);
          case "PUT" -> vms.setPorts(exchange, vm);
          default -> throw notAllowed(method, path);
        }
      }
      default -> throw notFound(path);
    }
  }

  private interface Action {
    void run() throws IOException;
  }

  private static void only(String method, String allowed, Exchange exchange, String path, Action action)
      throws IOException {
    if (!method.equals(allowed)) {
      throw notAllowed(method, path);
    }
    action.run();
  }

  private static IgnisException notFound(String path) {
    return new IgnisException(ErrorCode.NOT_FOUND, "no resource " + path + " (see docs/api.md)");
  }

  private static MethodNotAllowed notAllowed(String method, String path) {
    return new MethodNotAllowed(new IgnisException(ErrorCode.INVALID_ARGUMENT, method + " is not allowed on " + path
        + " (see docs/api.md)"));
  }

  /** A 405: bad input, with the HTTP status that says which. */
  private static final class MethodNotAllowed extends RuntimeException {
    final IgnisException error;

    MethodNotAllowed(IgnisException error) {
      super(error.getMessage(), null, false, false);
      this.error = error;
    }
  }
}
