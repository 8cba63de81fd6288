package dev.ignis.runtime.format;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
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

  /**
   * What commands and the API show, in one schema ({@code docs/output.schema.json}): every key
   * present, null when it has no value; enum values in lower case; {@code "key": value} spacing
   * as jq and Docker print it. Records on disk keep {@link #json()}'s form.
   */
  private static final class Output {
    static final ObjectMapper JSON = JsonMapper.builder()
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .enable(EnumFeature.WRITE_ENUMS_TO_LOWERCASE)
        .serializationInclusion(JsonInclude.Include.ALWAYS)
        .defaultPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("").withArrayEmptySeparator(""))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE))
        .build();
    static final ObjectMapper YAML = new ObjectMapper(
            YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build())
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true)
        .setSerializationInclusion(JsonInclude.Include.ALWAYS);
  }

  /** The output mapper: JSON as commands print it and the API answers. */
  public static ObjectMapper output() {
    return Output.JSON;
  }

  /** The output mapper for {@code -o yaml}: the same documents as {@link #output()}. */
  public static ObjectMapper outputYaml() {
    return Output.YAML;
  }

  /** The JSON mapper: ISO dates, unknown fields ignored (records written by newer versions). */
  public static ObjectMapper json() {
    return Json.MAPPER;
  }

}
