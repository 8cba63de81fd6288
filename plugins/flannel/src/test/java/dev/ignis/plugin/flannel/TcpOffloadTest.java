package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TcpOffloadTest {

  private static final int IP = 20;
  private static final int TCP = 32; // with the timestamp option, as Linux sends it

  /** A TSO packet as the TUN device hands it over: virtio header, IPv4, TCP (partial checksum), payload. */
  private static ByteBuffer tsoPacket(int payload, int gsoSize, int tcpFlags) {
    ByteBuffer b = ByteBuffer.allocateDirect(TcpOffload.VNET_HDR + IP + TCP + payload);
    b.order(ByteOrder.LITTLE_ENDIAN).put(0, (byte) 1).put(1, (byte) (gsoSize > 0 ? 1 : 0))
        .putShort(2, (short) (IP + TCP)).putShort(4, (short) gsoSize).putShort(6, (short) IP).putShort(8, (short) 16);
    b.order(ByteOrder.BIG_ENDIAN);
    int ip = TcpOffload.VNET_HDR;
    b.put(ip, (byte) 0x45).putShort(ip + 2, (short) (IP + TCP + payload)).putShort(ip + 4, (short) 0x1234)
        .put(ip + 8, (byte) 64).put(ip + 9, (byte) 6).putInt(ip + 12, 0x0a320105).putInt(ip + 16, 0x0a320205);
    int tcp = ip + IP;
    b.putShort(tcp, (short) 40000).putShort(tcp + 2, (short) 5201).putInt(tcp + 4, 1_000_000).putInt(tcp + 8, 777)
        .put(tcp + 12, (byte) ((TCP / 4) << 4)).put(tcp + 13, (byte) tcpFlags).putShort(tcp + 14, (short) 500);
    for (int i = 20; i < TCP; i++) {
      b.put(tcp + i, (byte) (i == 20 ? 1 : i == 21 ? 1 : i == 22 ? 8 : i == 23 ? 10 : i));
    }
    for (int i = 0; i < payload; i++) {
      b.put(tcp + TCP + i, (byte) (i * 7));
    }
    return b;
  }

  private static int checksum(ByteBuffer b, int at, int length, long initial) {
    long sum = initial;
    for (int i = 0; i + 1 < length; i += 2) {
      sum += b.getShort(at + i) & 0xffff;
    }
    if (length % 2 == 1) {
      sum += (b.get(at + length - 1) & 0xff) << 8;
    }
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }

  private static void assertValidTcp(ByteBuffer b, int ip) {
    int length = b.getShort(ip + 2) & 0xffff;
    assertThat(checksum(b, ip, IP, 0)).as("IP checksum").isEqualTo(0xffff);
    long pseudo = (b.getInt(ip + 12) & 0xffffffffL) + (b.getInt(ip + 16) & 0xffffffffL) + 6 + (length - IP);
    assertThat(checksum(b, ip + IP, length - IP, pseudo)).as("TCP checksum").isEqualTo(0xffff);
  }

  @Test
  void aTsoPacket_isCutIntoMtuSizedSegments_withFullChecksums_pushOnTheLastOnly() {
    ByteBuffer out = ByteBuffer.allocateDirect(70000);
    int size = TcpOffload.segment(tsoPacket(250, 100, 0x18), out);
    assertThat(size).isEqualTo(IP + TCP + 100);
    assertThat(out.limit()).isEqualTo(3 * (IP + TCP) + 250);
    int[] payloads = {100, 100, 50};
    for (int i = 0, at = 0; i < 3; at += IP + TCP + payloads[i], i++) {
      assertThat(out.getShort(at + 2) & 0xffff).isEqualTo(IP + TCP + payloads[i]);
      assertThat(out.getInt(at + IP + 4)).as("seq").isEqualTo(1_000_000 + 100 * i);
      assertThat(out.get(at + IP + 13)).as("flags").isEqualTo((byte) (i == 2 ? 0x18 : 0x10));
      assertThat(out.get(at + IP + TCP)).as("first payload byte").isEqualTo((byte) (100 * i * 7));
      assertValidTcp(out, at);
    }
  }

  @Test
  void segmentsReceivedTogether_joinIntoOneGsoPacket_asTheDeviceTakesIt() {
    ByteBuffer wire = ByteBuffer.allocateDirect(70000);
    TcpOffload.segment(tsoPacket(250, 100, 0x18), wire);
    ByteBuffer joined = ByteBuffer.allocateDirect(70000);
    int next = TcpOffload.coalesce(wire, 0, wire.limit(), joined);
    assertThat(next).as("all three used").isEqualTo(wire.limit());
    ByteBuffer header = joined.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    assertThat(header.get(0)).as("needs checksum").isEqualTo((byte) 1);
    assertThat(header.get(1)).as("gso TCPv4").isEqualTo((byte) 1);
    assertThat(header.getShort(2)).as("hdr_len").isEqualTo((short) (IP + TCP));
    assertThat(header.getShort(4)).as("gso_size").isEqualTo((short) 100);
    int ip = TcpOffload.VNET_HDR;
    assertThat(joined.limit()).isEqualTo(ip + IP + TCP + 250);
    assertThat(joined.getShort(ip + 2) & 0xffff).isEqualTo(IP + TCP + 250);
    assertThat(joined.get(ip + IP + 13)).as("push kept").isEqualTo((byte) 0x18);
    assertThat(checksum(joined, ip, IP, 0)).isEqualTo(0xffff);
    ByteBuffer original = tsoPacket(250, 100, 0x18);
    for (int i = 0; i < 250; i++) {
      assertThat(joined.get(ip + IP + TCP + i)).isEqualTo(original.get(ip + IP + TCP + i));
    }
  }

  @Test
  void otherPackets_passOneByOne_andAPartialChecksumIsCompleted() {
    ByteBuffer small = tsoPacket(30, 0, 0x18); // not GSO, checksum partial
    int ip = TcpOffload.VNET_HDR;
    long pseudo = (small.getInt(ip + 12) & 0xffffffffL) + (small.getInt(ip + 16) & 0xffffffffL) + 6 + TCP + 30;
    while ((pseudo >>> 16) != 0) {
      pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
    }
    small.putShort(ip + IP + 16, (short) pseudo);
    small.putShort(ip + 10, (short) ~checksum(small, ip, IP, 0));
    ByteBuffer out = ByteBuffer.allocateDirect(70000);
    assertThat(TcpOffload.segment(small, out)).isEqualTo(IP + TCP + 30);
    assertValidTcp(out, 0);

    ByteBuffer joined = ByteBuffer.allocateDirect(70000);
    assertThat(TcpOffload.coalesce(out, 0, out.limit(), joined)).isEqualTo(out.limit());
    assertThat(joined.get(1)).as("no GSO for one packet").isZero();
    assertThat(joined.limit()).isEqualTo(TcpOffload.VNET_HDR + out.limit());

    ByteBuffer notIp = ByteBuffer.allocateDirect(64);
    notIp.put(TcpOffload.VNET_HDR, (byte) 0x60).limit(64); // IPv6: not carried
    assertThat(TcpOffload.segment(notIp, out)).isZero();
    ByteBuffer garbage = ByteBuffer.allocateDirect(40);
    garbage.put(0, (byte) 0x45).putShort(2, (short) 4000);
    assertThat(TcpOffload.coalesce(garbage, 0, 40, joined)).as("a length past the datagram ends it").isEqualTo(40);
    assertThat(joined.limit()).isZero();
  }
}
