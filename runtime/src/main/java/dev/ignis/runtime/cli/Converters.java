package dev.ignis.runtime.cli;

import dev.ignis.spi.IgnisException;
import dev.ignis.spi.PortMapping;
import dev.ignis.spi.Protocol;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option converters that turn validation errors into usage errors with the value's message. */
final class Converters {

  private Converters() {}

  /**
   * {@code [hostIp:]hostPort:vmPort[/tcp|udp]}. SCTP is refused: the port checks (host
   * listeners, other VMs) and the guest link are made and tested for TCP and UDP only.
   */
  /** {@code [NETWORK/]} and a port mapping as {@link Port} takes it. */
  static final class Published implements ITypeConverter<dev.ignis.runtime.vm.PublishedPort> {
    @Override
    public dev.ignis.runtime.vm.PublishedPort convert(String value) {
      String network = dev.ignis.runtime.vm.PublishedPort.networkOf(value.strip());
      return new dev.ignis.runtime.vm.PublishedPort(network,
          new Port().convert(dev.ignis.runtime.vm.PublishedPort.withoutNetwork(value)));
    }
  }

  static final class Port implements ITypeConverter<PortMapping> {
    @Override
    public PortMapping convert(String value) {
      PortMapping mapping;
      try {
        mapping = PortMapping.parse(value);
      } catch (IgnisException e) {
        throw new TypeConversionException(e.getMessage());
      }
      if (mapping.protocol() == Protocol.SCTP) {
        throw new TypeConversionException("port mapping '" + value + "': protocol sctp is not supported; publish tcp or"
            + " udp ports");
      }
      return mapping;
    }
  }

  /** A memory size in MiB: {@code 512}, {@code 512M}, {@code 2G}. */
  static final class MemoryMib implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      return (int) Math.min(mib(value, "memory"), Integer.MAX_VALUE);
    }
  }

  /** A disk size in MiB: {@code 2048}, {@code 2G}, {@code 1T} (Ignite's {@code 4GB} too). */
  static final class DiskMib implements ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      return mib(value, "size");
    }
  }

  /** A size in MiB: a number of MiB, or with M, G or T (B or iB after it is allowed). */
  private static long mib(String value, String what) {
    String text = value.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
    long factor = 1;
    if (text.endsWith("T")) {
      factor = 1024 * 1024;
    } else if (text.endsWith("G")) {
      factor = 1024;
    }
    if (text.matches(".*[MGT]")) {
      text = text.substring(0, text.length() - 1);
    }
    if (!text.matches("\\d{1,7}")) {
      throw new TypeConversionException(what + " '" + value + "' is not a size like 256M, 1G or 2T");
    }
    return Long.parseLong(text) * factor;
  }
}
