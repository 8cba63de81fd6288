package dev.ignis.runtime.hypervisor;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A minimal QMP client: connects, negotiates capabilities, runs one command. */
final class Qmp {

  private Qmp() {}

  /** Runs a QMP command without arguments ({@code system_powerdown}, {@code quit}). */
  static void execute(Path socket, String command) {
    execute(socket, command, "");
  }

  /** Runs a QMP command with its arguments, a JSON object ({@code {"name":"net0","up":false}}), or none if empty. */
  static void execute(Path socket, String command, String arguments) {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      BufferedReader in = new BufferedReader(Channels.newReader(channel, StandardCharsets.UTF_8));
      Writer out = Channels.newWriter(channel, StandardCharsets.UTF_8);
      in.readLine(); // greeting
      send(out, in, "qmp_capabilities", "");
      send(out, in, command, arguments);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot talk to QEMU over " + socket + ": " + e.getMessage(), e);
    }
  }

  private static void send(Writer out, BufferedReader in, String command, String arguments) throws IOException {
    out.write("{\"execute\":\"" + command + "\"" + (arguments.isEmpty() ? "" : ",\"arguments\":" + arguments) + "}\n");
    out.flush();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.contains("\"return\"")) {
        return;
      }
      if (line.contains("\"error\"")) {
        throw new IgnisException(ErrorCode.PLUGIN_FAILED, "QEMU refused " + command + ": " + line);
      }
      // an event; the answer follows
    }
    throw new IOException("QEMU closed the connection");
  }
}
