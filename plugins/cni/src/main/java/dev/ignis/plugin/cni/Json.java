package dev.ignis.plugin.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;

/** The plugin's JSON mapper (its own, bundled copy of Jackson) and the decoding errors it raises. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /** Parses a JSON object; anything else is a {@link ErrorCode#DECODING_FAILURE} naming {@code what}. */
  static ObjectNode object(String text, String what) {
    JsonNode node;
    try {
      node = MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, what + " is not valid JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IgnisException(ErrorCode.DECODING_FAILURE, what + " is not a JSON object");
    }
    return (ObjectNode) node;
  }

  static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A text field, or empty. */
  static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : "";
  }
}
