package dev.ignis.runtime.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training run for the thin client's start-up archive, which the launcher makes once per
 * installation: the client sends a command to a stand-in for ignisd on a temp socket and plays
 * back its answer, so that the classes of that path land in the archive. Touches nothing but a
 * temp dir.
 */
public final class ClientTraining {

  private ClientTraining() {}

  public static void main(String[] args) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("ignis-cds-client-");
    DaemonAddress address = new DaemonAddress(dir);
    Files.createDirectories(address.dir());
    PrintStream realOut = System.out;
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(address.socket()));
      Thread standIn = new Thread(new Runnable() {
        @Override
        public void run() {
          answer(server);
        }
      }, "stand-in");
      standIn.start();
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      SocketChannel channel = DaemonStarter.connect(address).orElseThrow();
      ClientMain.run(channel, address, new String[] {"version"}, ClientEnvironment.relevant(System.getenv()),
          Path.of("").toAbsolutePath());
      DaemonAddress.of(new String[] {"--state-dir", dir.toString(), "ps"}, Map.of(), java.util.Optional.empty(), dir);
      standIn.join();
    } finally {
      System.setOut(realOut);
      Files.deleteIfExists(address.socket());
      Files.deleteIfExists(address.dir());
      Files.deleteIfExists(dir);
    }
  }

  private static void answer(ServerSocketChannel server) {
    try (SocketChannel channel = server.accept()) {
      InputStream in = Channels.newInputStream(channel);
      byte[] buffer = new byte[65536];
      int read = in.read(buffer);
      String request = new String(buffer, 0, Math.max(read, 0), StandardCharsets.UTF_8);
      if (!request.contains("\r\n\r\n")) {
        return;
      }
      OutputStream out = Channels.newOutputStream(channel);
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: " + CliFrames.MEDIA_TYPE + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      byte[] text = "version: training\n".getBytes(StandardCharsets.UTF_8);
      CliFrames.write(out, CliFrames.STDOUT, text, 0, text.length);
      CliFrames.write(out, CliFrames.STDERR, text, 0, text.length);
      CliFrames.write(out, CliFrames.KEEPALIVE, text, 0, 0);
      CliFrames.writeExit(out, 0);
    } catch (IOException e) {
      // A training run: whatever did not run is simply not archived.
    }
  }
}
