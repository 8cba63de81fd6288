package dev.ignis.plugin.dockerbridge;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;

/** A Docker Engine API version such as {@code 1.41}, ordered numerically. */
record ApiVersion(int major, int minor) implements Comparable<ApiVersion> {

  static ApiVersion parse(String text) {
    String[] parts = text == null ? new String[0] : text.strip().split("\\.");
    try {
      if (parts.length == 2) {
        return new ApiVersion(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IgnisException(ErrorCode.DECODING_FAILURE, "'" + text + "' is not a Docker Engine API version");
  }

  String text() {
    return major + "." + minor;
  }

  @Override
  public int compareTo(ApiVersion other) {
    return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
  }
}
