package dev.ignis.spi;

import java.util.List;

/**
 * What a bootstrap found and did, in order.
 *
 * @param findings the checks and changes, for the user
 */
public record BootstrapResult(List<Finding> findings) {

  /** The findings, in order. */
  public static BootstrapResult of(List<Finding> findings) {
    return new BootstrapResult(findings);
  }

  /** Copies the list. */
  public BootstrapResult {
    findings = findings == null ? List.of() : List.copyOf(findings);
  }

  /** True when every finding is ok. */
  public boolean ok() {
    return findings.stream().allMatch(Finding::ok);
  }
}
