package dev.ignis.runtime.vm;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A MAC address in lower-case colon form.
 *
 * @param value the address, {@code 02:ab:cd:ef:01:23}
 */
public record MacAddress(String value) {

  /** Made on first use: seeding a SecureRandom costs start-up time that listing VMs need not pay. */
  private static final class Random {
    static final SecureRandom SOURCE = new SecureRandom();
  }

  /** Validates the form and refuses multicast and all-zero addresses. */
  public MacAddress {
    if (value == null || !value.matches("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "MAC address '" + value + "' is not of the form 02:ab:cd:ef:01:23");
    }
    value = value.toLowerCase(Locale.ROOT);
    if ((Integer.parseInt(value.substring(0, 2), 16) & 1) != 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "MAC address '" + value + "' is a multicast address; the first byte must be even, e.g. 02");
    }
    if (value.equals("00:00:00:00:00:00")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT,
          "MAC address '" + value + "' is all zeros, which no interface can have; e.g. 02:ab:cd:ef:01:23");
    }
  }

  /** A random locally administered unicast address, as a VM keeps for life. */
  public static MacAddress random() {
    byte[] bytes = new byte[6];
    Random.SOURCE.nextBytes(bytes);
    bytes[0] = (byte) ((bytes[0] & 0xfc) | 0x02);
    return new MacAddress(HexFormat.ofDelimiter(":").formatHex(bytes));
  }

  @Override
  public String toString() {
    return value;
  }
}
