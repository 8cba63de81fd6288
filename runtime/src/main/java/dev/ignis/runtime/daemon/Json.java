package dev.ignis.runtime.daemon;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.runtime.cli.Cli;
import dev.ignis.runtime.daemon.http.Exchange;
import dev.ignis.runtime.format.Mappers;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * JSON in and out of the API, and its one error model: an {@link IgnisException} becomes
 * {@code {"error":{"status":404,"code":101,"category":"not-found","exitStatus":101,"message":...}}}
 * with the HTTP status of its category, the code of the runtime's error model (CNI's codes, ours
 * from 100) and the exit status {@code runtime} would have given.
 */
final class Json {

  static final String MEDIA_TYPE = "application/json";

  private Json() {}

  /** The request body as JSON; an empty body is an empty object. */
  static JsonNode body(Exchange exchange) {
    if (!exchange.request().header("content-type").isEmpty()
        && !exchange.request().header("content-type").startsWith(MEDIA_TYPE)) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "the body must be " + MEDIA_TYPE);
    }
    if (exchange.request().body().length == 0) {
      return Mappers.json().createObjectNode();
    }
    try {
      return Mappers.json().readTree(exchange.request().body());
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, "the body is not JSON: " + e.getMessage());
    }
  }

  static void respond(Exchange exchange, int status, Object value) throws IOException {
    exchange.respond(status, MEDIA_TYPE, text(value) + "\n");
  }

  static String text(Object value) {
    try {
      return Mappers.output().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot format an answer: " + e.getOriginalMessage(), e);
    }
  }

  /** One line of JSON, for streams of events. */
  static String line(Object value) {
    try {
      return Mappers.output().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
          .writeValueAsString(value) + "\n";
    } catch (JsonProcessingException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot format an event: " + e.getOriginalMessage(), e);
    }
  }

  /** Answers with the error document of {@code e}. */
  static void error(Exchange exchange, IgnisException e) throws IOException {
    error(exchange, e, statusOf(e));
  }

  /** Answers with the error document of {@code e} and the given HTTP status. */
  static void error(Exchange exchange, IgnisException e, int status) throws IOException {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("status", status);
    error.put("code", e.code().code());
    error.put("category", e.code().category().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    error.put("exitStatus", Cli.exitStatus(e.code()));
    error.put("message", e.getMessage());
    respond(exchange, status, Map.of("error", error));
  }

  private static int statusOf(IgnisException e) {
    return switch (e.code().category()) {
      case INPUT -> 400;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case ENVIRONMENT -> 503;
      case PLUGIN -> 502;
      case INTERNAL -> 500;
    };
  }
}
