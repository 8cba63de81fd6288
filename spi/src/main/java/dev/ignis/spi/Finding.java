package dev.ignis.spi;

/**
 * One thing a plugin checked or changed while bootstrapping, for the user to read. Make one with
 * {@link #ok} or {@link #problem}.
 *
 * @param subject what was looked at ({@code conf dir /etc/cni/net.d})
 * @param ok whether it is as required
 * @param detail what was found or done, and the fix when not ok
 */
public record Finding(String subject, boolean ok, String detail) {

  /** Validates the subject. */
  public Finding {
    Values.nonBlank(subject, "finding subject");
    detail = detail == null ? "" : detail;
  }

  /** A passed check. */
  public static Finding ok(String subject, String detail) {
    return new Finding(subject, true, detail);
  }

  /** A failed check; the detail should say how to fix it. */
  public static Finding problem(String subject, String detail) {
    return new Finding(subject, false, detail);
  }
}
