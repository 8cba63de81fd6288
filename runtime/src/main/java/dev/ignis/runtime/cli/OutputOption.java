package dev.ignis.runtime.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.ignis.runtime.format.Mappers;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.PrintStream;
import picocli.CommandLine.Option;

/** The {@code -o table|json|yaml} option of listing commands. */
final class OutputOption {

  enum Format { TABLE, JSON, YAML }

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
      description = "Output format: table, json or yaml (default: ${DEFAULT-VALUE}).", defaultValue = "table")
  Format format = Format.TABLE;

  boolean isTable() {
    return format == Format.TABLE;
  }

  /** Prints a value as JSON or YAML, in the one output schema. */
  void print(PrintStream out, Object value) {
    try {
      if (format == Format.YAML) {
        out.print(Mappers.outputYaml().writeValueAsString(value));
      } else {
        out.println(Mappers.output().writeValueAsString(value));
      }
    } catch (JsonProcessingException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot format output: " + e.getOriginalMessage(), e);
    }
  }
}
