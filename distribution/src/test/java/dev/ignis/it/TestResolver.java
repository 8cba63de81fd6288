package dev.ignis.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A nameserver a test runs in a network namespace of its own, joined to the test network's
 * bridge by a veth: it answers A and AAAA queries for the names it was given (NXDOMAIN for
 * others) and logs each question, so a test sees that the guest asked it. Run as {@code main}
 * in a JVM of its own under {@code ip netns exec}; the test's side is {@link #start}.
 */
final class TestResolver implements AutoCloseable {

  private final String netns;
  private final Process process;
  final Path log;

  private TestResolver(String netns, Process process, Path log) {
    this.netns = netns;
    this.process = process;
    this.log = log;
  }

  /**
   * A resolver on {@code addresses} (in the network's subnet, outside what its IPAM hands out)
   * of a netns joined to {@code bridge}, answering {@code records} (name to address).
   */
  static TestResolver start(Path work, String bridge, List<String> addresses, int prefixLength,
      Map<String, String> records) throws Exception {
    String suffix = Integer.toHexString(0x10000 + new java.security.SecureRandom().nextInt(0xeffff));
    String netns = "igt-dns-" + suffix; // not ignis-*: the runtime names its sandboxes so
    String hostEnd = "igdns" + suffix;
    Ignis.sh("ip", "netns", "add", netns);
    try {
      Ignis.sh("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", netns);
      Ignis.sh("ip", "link", "set", hostEnd, "master", bridge, "up");
      for (String address : addresses) {
        Ignis.sh("ip", "-n", netns, "addr", "add", address + "/" + prefixLength, "dev", "eth0");
      }
      Ignis.sh("ip", "-n", netns, "link", "set", "eth0", "up");
      Ignis.sh("ip", "-n", netns, "link", "set", "lo", "up");
      Path log = work.resolve("resolver-" + suffix + ".log");
      List<String> command = new java.util.ArrayList<>(List.of("ip", "netns", "exec", netns,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx32m", "-cp",
          System.getProperty("java.class.path"), TestResolver.class.getName(), log.toString()));
      records.forEach((name, address) -> command.add(name + "=" + address));
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(work.resolve("resolver-" + suffix + ".out").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (!Files.exists(log) && System.nanoTime() < deadline && process.isAlive()) {
        Thread.sleep(50); // it creates the log once it listens
      }
      if (!Files.exists(log)) {
        process.destroyForcibly();
        throw new IllegalStateException("the test resolver did not start: "
            + Files.readString(work.resolve("resolver-" + suffix + ".out")));
      }
      return new TestResolver(netns, process, log);
    } catch (Exception e) {
      Ignis.sh("ip", "netns", "del", netns);
      throw e;
    }
  }

  /** The questions asked so far, one line each: {@code NAME TYPE}. */
  String questions() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    Ignis.sh("ip", "netns", "del", netns); // takes the veth with it
  }

  /** The server: {@code TestResolver LOG NAME=ADDRESS...}, on port 53 of every address of its netns. */
  public static void main(String[] args) throws IOException {
    Map<String, List<InetAddress>> records = new HashMap<>();
    for (String record : List.of(args).subList(1, args.length)) {
      String[] parts = record.split("=", 2);
      records.computeIfAbsent(parts[0].toLowerCase(java.util.Locale.ROOT), k -> new java.util.ArrayList<>())
          .add(InetAddress.getByName(parts[1])); // literals only: never a lookup
    }
    Path log = Path.of(args[0]);
    // One socket per address: an answer must come from the address the question went to.
    List<DatagramSocket> sockets = new java.util.ArrayList<>();
    for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : java.util.Collections.list(nic.getInetAddresses())) {
        if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
          sockets.add(new DatagramSocket(new InetSocketAddress(address, 53)));
        }
      }
    }
    Files.writeString(log, "");
    for (DatagramSocket socket : sockets) {
      Thread server = new Thread(() -> serve(socket, records, log));
      server.start();
    }
  }

  private static void serve(DatagramSocket socket, Map<String, List<InetAddress>> records, Path log) {
    byte[] buffer = new byte[1500];
    while (true) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        byte[] answer = answer(ByteBuffer.wrap(packet.getData(), 0, packet.getLength()), records, log);
        socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
      } catch (IOException | RuntimeException malformed) {
        // not a question it understands: no answer
      }
    }
  }

  private static byte[] answer(ByteBuffer query, Map<String, List<InetAddress>> records, Path log) throws IOException {
    short id = query.getShort();
    query.position(12);
    StringBuilder name = new StringBuilder();
    for (int length = query.get() & 0xff; length > 0; length = query.get() & 0xff) {
      byte[] label = new byte[length];
      query.get(label);
      name.append(name.length() == 0 ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
    }
    int type = query.getShort() & 0xffff;
    query.getShort(); // class
    int questionEnd = query.position();
    String asked = name.toString().toLowerCase(java.util.Locale.ROOT);
    Files.writeString(log, asked + " " + (type == 1 ? "A" : type == 28 ? "AAAA" : String.valueOf(type)) + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    List<InetAddress> known = records.get(asked);
    List<InetAddress> matching = known == null ? List.of() : known.stream()
        .filter(a -> (type == 1 && a.getAddress().length == 4) || (type == 28 && a.getAddress().length == 16)).toList();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(12);
    header.putShort(id).putShort((short) (known == null ? 0x8183 : 0x8180)).putShort((short) 1)
        .putShort((short) matching.size()).putShort((short) 0).putShort((short) 0);
    out.write(header.array());
    out.write(query.array(), 12, questionEnd - 12);
    for (InetAddress address : matching) {
      byte[] data = address.getAddress();
      ByteBuffer record = ByteBuffer.allocate(12 + data.length);
      record.putShort((short) 0xc00c).putShort((short) type).putShort((short) 1).putInt(60)
          .putShort((short) data.length).put(data);
      out.write(record.array());
    }
    return out.toByteArray();
  }
}
