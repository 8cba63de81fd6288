package dev.ignis.plugin.flannel;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The plugin's JSON, as plain maps, lists, strings, numbers and booleans (jackson-jr): the
 * node agent is a small resident process, and Jackson's databind alone would add 16 MB and 600
 * classes to it. Values convert themselves ({@code fromJson}/{@code toJson}); this class reads,
 * writes and answers typed questions about fields, failing with what was wrong.
 */
final class Json {

  private static final JSON PLAIN = JSON.std.with(JSON.Feature.PRESERVE_FIELD_ORDERING)
      .without(JSON.Feature.WRITE_NULL_PROPERTIES);
  private static final JSON PRETTY = PLAIN.with(JSON.Feature.PRETTY_PRINT_OUTPUT);

  private Json() {}

  /** A JSON object; IOException if the text is not one. */
  static Map<String, Object> object(String text) throws IOException {
    return PLAIN.mapFrom(text);
  }

  static Map<String, Object> object(byte[] bytes) throws IOException {
    return PLAIN.mapFrom(bytes);
  }

  /** Hands each of a stream of JSON objects (as etcd's gateway streams them) to {@code each}, until the stream ends. */
  static void eachObject(InputStream in, Consumer<Map<String, Object>> each) throws IOException {
    try (JsonParser parser = PLAIN.getStreamingFactory().createParser(in)) {
      while (parser.nextToken() != null) {
        each.accept(PLAIN.mapFrom(parser));
      }
    }
  }

  static String write(Object value) {
    try {
      return PLAIN.asString(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
    }
  }

  static byte[] bytes(Object value) {
    try {
      return PLAIN.asBytes(value);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
    }
  }

  static String pretty(Object value) {
    try {
      return PRETTY.asString(value) + "\n";
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot write " + value + " as JSON", e);
    }
  }

  static String string(Map<String, Object> object, String key) throws IOException {
    return typed(object, key, String.class, "a string");
  }

  static Integer integer(Map<String, Object> object, String key) throws IOException {
    return typed(object, key, Integer.class, "a whole number");
  }

  static Boolean bool(Map<String, Object> object, String key) throws IOException {
    return typed(object, key, Boolean.class, "true or false");
  }

  private static <T> T typed(Map<String, Object> object, String key, Class<T> type, String what) throws IOException {
    Object value = object.get(key);
    if (value != null && !type.isInstance(value)) {
      throw new IOException(key + " is not " + what);
    }
    return type.cast(value);
  }

  /** An int64 as etcd's gateway writes it (a decimal string) or as a number; 0 when absent, as proto3 omits zeros. */
  static long int64(Map<String, Object> object, String key) throws IOException {
    Object value = object.get(key);
    try {
      return value == null ? 0 : value instanceof Number number ? number.longValue() : Long.parseLong(value.toString());
    } catch (NumberFormatException e) {
      throw new IOException(key + " is not a number: " + value);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> child(Map<String, Object> object, String key) throws IOException {
    Object value = object.get(key);
    if (value != null && !(value instanceof Map)) {
      throw new IOException(key + " is not an object");
    }
    return value == null ? Map.of() : (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> object, String key) throws IOException {
    Object value = object.get(key);
    if (value != null && !(value instanceof List)) {
      throw new IOException(key + " is not a list");
    }
    return value == null ? List.of() : (List<Object>) value;
  }
}
