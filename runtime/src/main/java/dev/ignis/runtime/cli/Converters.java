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
      String text = value.strip().toUpperCase(Locale.ROOT).replaceAll("I?B$", "");
      long factor = 1;
      if (text.endsWith("G")) {
        factor = 1024;
        text = text.substring(0, text.length() - 1);
      } else if (text.endsWith("M")) {
        text = text.substring(0, text.length() - 1);
      }
      if (!text.matches("\\d{1,7}")) {
        throw new TypeConversionException("memory '" + value + "' is not a size like 256M or 1G");
      }
      long mib = Long.parseLong(text) * factor;
      return (int) Math.min(mib, Integer.MAX_VALUE);
    }
  }
}
