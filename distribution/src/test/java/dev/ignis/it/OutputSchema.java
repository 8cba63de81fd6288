package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks outputs against the documented schema, {@code docs/output.schema.json}, by its definitions. */
final class OutputSchema {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path FILE = Path.of("..", "docs", "output.schema.json");

  private OutputSchema() {}

  /** Asserts that {@code json} is a document of the definition {@code name} ({@code vmList}, {@code port}...). */
  static JsonNode assertJson(String name, String json) {
    try {
      return assertDocument(name, JSON.readTree(json), json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }

  /** As {@link #assertJson}, for {@code -o yaml}: the same document in YAML. */
  static JsonNode assertYaml(String name, String yaml) {
    try {
      return assertDocument(name, new YAMLMapper().readTree(yaml), yaml);
    } catch (java.io.IOException e) {
      throw new AssertionError("not YAML: " + yaml, e);
    }
  }

  private static JsonNode assertDocument(String name, JsonNode document, String text) {
    List<com.networknt.schema.Error> errors = schema(name).validate(document);
    assertThat(errors).as("%s against #/$defs/%s:%n%s", errors, name, text).isEmpty();
    return document;
  }

  private static Schema schema(String name) {
    try {
      ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(FILE));
      assertThat(root.path("$defs").has(name)).as("the schema defines " + name).isTrue();
      root.put("$ref", "#/$defs/" + name);
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(root.toString());
    } catch (java.io.IOException e) {
      throw new AssertionError("cannot read " + FILE.toAbsolutePath(), e);
    }
  }
}
