package dev.ignis.spi;

/**
 * The one exception type of Ignis and its plugins.
 *
 * <p>The message is a single line for the user: what failed, on what, and what to do. {@link
 * #details()} may carry more (for example a CNI error's {@code details} field); it is shown
 * only in verbose mode.
 */
public class IgnisException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String details;

  /** An error with a code and a one-line message. */
  public IgnisException(ErrorCode code, String message) {
    this(code, message, "", null);
  }

  /** An error with a code, a one-line message and the cause behind it. */
  public IgnisException(ErrorCode code, String message, Throwable cause) {
    this(code, message, "", cause);
  }

  /** An error with a code, a one-line message, longer details and an optional cause. */
  public IgnisException(ErrorCode code, String message, String details, Throwable cause) {
    super(requireMessage(message), cause);
    if (code == null) {
      throw new IllegalArgumentException("code is required");
    }
    this.code = code;
    this.details = details == null ? "" : details;
  }

  private static String requireMessage(String message) {
    if (message == null || message.isBlank()) {
      throw new IllegalArgumentException("message is required");
    }
    return message;
  }

  /** The error code. */
  public ErrorCode code() {
    return code;
  }

  /** Longer details for verbose output; empty when there are none. */
  public String details() {
    return details;
  }
}
