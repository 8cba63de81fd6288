package dev.ignis.spi;

/**
 * The error codes of Ignis: CNI's well-known codes (CNI spec, "Error" section) below 100,
 * our own from 100 on.
 *
 * <p>Callers branch on the code, never on the message. Each code belongs to a {@link Category}
 * that the command line turns into an exit status.
 */
public enum ErrorCode {
  /** CNI 1: the plugin or config speaks a version the other side does not. */
  INCOMPATIBLE_VERSION(1, Category.INPUT),
  /** CNI 2: a field in the network configuration is not supported. */
  UNSUPPORTED_FIELD(2, Category.INPUT),
  /** CNI 3: the container (VM sandbox) is unknown or does not exist. */
  UNKNOWN_CONTAINER(3, Category.NOT_FOUND),
  /** CNI 4: a required environment variable is missing or invalid. */
  INVALID_ENVIRONMENT(4, Category.ENVIRONMENT),
  /** CNI 5: an I/O failure, such as reading a file or talking to a daemon. */
  IO_FAILURE(5, Category.ENVIRONMENT),
  /** CNI 6: content could not be decoded (malformed JSON, a corrupt record). */
  DECODING_FAILURE(6, Category.INPUT),
  /** CNI 7: the network configuration is invalid. */
  INVALID_NETWORK_CONFIG(7, Category.INPUT),
  /** CNI 8 (reserved in the spec): the network namespace is invalid or gone. */
  INVALID_NETNS(8, Category.ENVIRONMENT),
  /** CNI 11: a transient failure; the same call may succeed later. */
  TRY_AGAIN_LATER(11, Category.ENVIRONMENT),
  /** CNI 50: the plugin is not available (for example, a dependency is not running). */
  PLUGIN_NOT_AVAILABLE(50, Category.ENVIRONMENT),
  /** CNI 51: the plugin is available but connectivity is limited. */
  PLUGIN_LIMITED_CONNECTIVITY(51, Category.ENVIRONMENT),
  /** A user-supplied argument is invalid (a name, a port spec, an address). */
  INVALID_ARGUMENT(100, Category.INPUT),
  /** A VM, plugin or other named thing does not exist. */
  NOT_FOUND(101, Category.NOT_FOUND),
  /** A thing with the same name or identity already exists. */
  ALREADY_EXISTS(102, Category.CONFLICT),
  /** The operation does not fit the current state (for example, starting a running VM). */
  INVALID_STATE(103, Category.CONFLICT),
  /** A resource is busy: a lock is held, a host port is taken. */
  BUSY(104, Category.CONFLICT),
  /** A network plugin failed in a way that has no more precise code. */
  PLUGIN_FAILED(105, Category.PLUGIN),
  /** The operation is not supported by this plugin or this host. */
  NOT_SUPPORTED(106, Category.ENVIRONMENT),
  /** A bug: something that should not happen. */
  INTERNAL(999, Category.INTERNAL);

  /** What kind of failure a code is; the command line maps each to its own exit status. */
  public enum Category {
    /** Bad input from the user or a config file. */
    INPUT,
    /** The thing named does not exist. */
    NOT_FOUND,
    /** The thing exists, but the request conflicts with its state. */
    CONFLICT,
    /** The host or a service Ignis depends on is not as required. */
    ENVIRONMENT,
    /** A network plugin failed. */
    PLUGIN,
    /** An internal error. */
    INTERNAL
  }

  private final int code;
  private final Category category;

  ErrorCode(int code, Category category) {
    this.code = code;
    this.category = category;
  }

  /** The numeric code, as CNI writes it in an error result. */
  public int code() {
    return code;
  }

  /** The category of this code. */
  public Category category() {
    return category;
  }

  /**
   * The code for a number found in a CNI error result; unknown numbers of 100 and up are a
   * plugin's own and map to {@link #PLUGIN_FAILED}, other unknown numbers to {@link #INTERNAL}.
   */
  public static ErrorCode of(int code) {
    for (ErrorCode value : values()) {
      if (value.code == code) {
        return value;
      }
    }
    return code >= 100 ? PLUGIN_FAILED : INTERNAL;
  }
}
