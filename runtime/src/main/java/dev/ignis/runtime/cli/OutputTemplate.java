package dev.ignis.runtime.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ignis.runtime.format.Mappers;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --format TEMPLATE}: a line per item with {@code {{.key}}} (or {@code {{.key.sub}}})
 * replaced by that field of the item's JSON ({@code -o json}'s keys): text as it is, numbers and
 * booleans as JSON writes them, lists joined with commas, objects as compact JSON, null as
 * nothing. {@code \t} and {@code \n} stand for a tab and a newline, as in Docker's templates.
 */
final class OutputTemplate {

  private static final Pattern FIELD = Pattern.compile("\\{\\{\\s*\\.([A-Za-z0-9_.]+)\\s*}}");

  private final String template;

  OutputTemplate(String template) {
    this.template = template.replace("\\t", "\t").replace("\\n", "\n");
    if (!FIELD.matcher(this.template).find() && this.template.contains("{{")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--format '" + template + "' names no field as {{.key}};"
          + " the keys are those of -o json, such as {{.name}}");
    }
  }

  /** The item's line. */
  String render(Object item) {
    JsonNode json = Mappers.output().valueToTree(item);
    Matcher field = FIELD.matcher(template);
    StringBuilder line = new StringBuilder();
    while (field.find()) {
      JsonNode value = json;
      for (String key : field.group(1).split("\\.")) {
        if (!value.has(key)) {
          List<String> keys = new ArrayList<>();
          value.fieldNames().forEachRemaining(keys::add);
          throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "--format: no field '" + field.group(1) + "'; the keys"
              + " here are " + String.join(", ", keys));
        }
        value = value.get(key);
      }
      field.appendReplacement(line, Matcher.quoteReplacement(text(value)));
    }
    field.appendTail(line);
    return line.toString();
  }

  private static String text(JsonNode value) {
    if (value.isNull()) {
      return "";
    }
    if (value.isArray()) {
      List<String> items = new ArrayList<>();
      value.forEach(item -> items.add(text(item)));
      return String.join(",", items);
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }
}
