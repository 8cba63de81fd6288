package dev.ignis.runtime.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The configured Jackson mappers of the runtime, made on first use (building one costs
 * start-up time, and {@code ps} needs only JSON). Thread-safe.
 */
public final class Mappers {

  private Mappers() {}

  private static final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(SerializationFeature.INDENT_OUTPUT)
        // Maps (plugin state, options) come out sorted: the same record prints the same in
        // every process (immutable maps iterate in a per-JVM random order).
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .serializationInclusion(JsonInclude.Include.NON_NULL)
        .build();
  }

  private static final class Yaml {
    static final ObjectMapper MAPPER = new ObjectMapper(
            YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .setSerializationInclusion(JsonInclude.Include.NON_NULL);
  }

  /** The JSON mapper: ISO dates, unknown fields ignored (records written by newer versions). */
  public static ObjectMapper json() {
    return Json.MAPPER;
  }

  /** The YAML mapper, for {@code -o yaml}. */
  public static ObjectMapper yaml() {
    return Yaml.MAPPER;
  }
}
