package dev.ignis.plugin.flannel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The udp backend's TCP offload, so that the kernel hands the TUN device's traffic over in
 * 64 KB pieces and takes it back the same way (the kernel work per packet, not the copying, is
 * what limits a userspace forwarder): {@link #segment} cuts a TSO packet read from the device
 * into the MTU-sized IPv4 packets flanneld's wire format carries, one per datagram, with full
 * checksums; {@link #coalesce} joins consecutive segments of one TCP flow that arrived
 * together back into one packet for the device to take as GSO. Both work on direct buffers
 * from position 0 and allocate nothing. Not thread-safe: one per forwarding thread.
 *
 * <p>The virtio-net header in front of each packet on a TUN device with {@code IFF_VNET_HDR}:
 * flags (1: the checksum at csum_start + csum_offset is partial), gso_type (1: TCPv4),
 * hdr_len, gso_size, csum_start, csum_offset; little endian.
 */
final class TcpOffload {

  static final int VNET_HDR = 10;
  private static final int NEEDS_CSUM = 1;
  private static final int GSO_NONE = 0;
  private static final int GSO_TCPV4 = 1;
  private static final int TCP = 6;

  private TcpOffload() {}

  /**
   * Turns what the device gave ({@code in}: virtio header then one packet, limit at its end)
   * into plain IPv4 packets laid end to end in {@code out} from position 0, every one but the
   * last of the same length; returns that length (0 if nothing is to be sent).
   */
  static int segment(ByteBuffer in, ByteBuffer out) {
    in.order(ByteOrder.LITTLE_ENDIAN);
    int flags = in.get(0) & 0xff;
    int gsoType = in.get(1) & 0x7f; // without the ECN bit
    int gsoSize = in.getShort(4) & 0xffff;
    int csumStart = in.getShort(6) & 0xffff;
    int csumOffset = in.getShort(8) & 0xffff;
    in.order(ByteOrder.BIG_ENDIAN);
    int length = in.limit() - VNET_HDR;
    out.clear();
    if (length < 20 || (in.get(VNET_HDR) >> 4) != 4) {
      return 0; // not IPv4
    }
    if (gsoType == GSO_NONE) {
      copy(in, VNET_HDR, out, 0, length);
      if ((flags & NEEDS_CSUM) != 0) {
        finishChecksum(out, 0, length, csumStart, csumOffset);
      }
      out.limit(length);
      return length;
    }
    if (gsoType != GSO_TCPV4 || gsoSize == 0) {
      return 0; // offloads the device was not offered
    }
    int ip = VNET_HDR;
    int ipHeader = (in.get(ip) & 0x0f) * 4;
    int tcpHeader = ((in.get(ip + ipHeader + 12) >> 4) & 0x0f) * 4;
    int headers = ipHeader + tcpHeader;
    int payload = length - headers;
    int ipId = in.getShort(ip + 4) & 0xffff;
    int seq = in.getInt(ip + ipHeader + 4);
    int tcpFlags = in.get(ip + ipHeader + 13) & 0xff;
    int at = 0;
    for (int offset = 0, index = 0; offset < payload; offset += gsoSize, index++) {
      int size = Math.min(gsoSize, payload - offset);
      boolean last = offset + size >= payload;
      copy(in, ip, out, at, headers);
      copy(in, ip + headers + offset, out, at + headers, size);
      out.putShort(at + 2, (short) (headers + size));
      out.putShort(at + 4, (short) (ipId + index));
      ipChecksum(out, at, ipHeader);
      int tcp = at + ipHeader;
      out.putInt(tcp + 4, seq + offset);
      int segmentFlags = tcpFlags & ~(last ? 0 : 0x09) & ~(index == 0 ? 0 : 0x80); // FIN, PSH last; CWR first
      out.put(tcp + 13, (byte) segmentFlags);
      tcpChecksum(out, at, ipHeader, tcpHeader + size);
      at += headers + size;
    }
    out.limit(at);
    return Math.min(headers + gsoSize, at);
  }

  /**
   * Writes into {@code out} (virtio header first) the packets of {@code in} from {@code from}
   * to {@code to} (end to end, as a UDP GRO receive gives them) that join into one: consecutive
   * segments of one TCP flow, equal in size but for the last, flags ACK (PSH on the last);
   * returns the offset in {@code in} after the packets used (at least one).
   */
  static int coalesce(ByteBuffer in, int from, int to, ByteBuffer out) {
    out.clear();
    int first = from;
    int firstLength = in.getShort(first + 2) & 0xffff;
    if ((in.get(first) >> 4) != 4 || firstLength < 20 || firstLength > to - first) {
      out.limit(0);
      return to; // not an IPv4 packet as the datagram says: the rest is dropped
    }
    int ipHeader = (in.get(first) & 0x0f) * 4;
    boolean tcp = (in.get(first + 9) & 0xff) == TCP && ipHeader == 20 && firstLength <= to - first;
    int tcpHeader = tcp ? ((in.get(first + ipHeader + 12) >> 4) & 0x0f) * 4 : 0;
    int headers = ipHeader + tcpHeader;
    int size = firstLength - headers;
    int next = first + firstLength;
    int count = 1;
    int total = size;
    boolean push = false;
    if (tcp && size > 0 && (in.get(first + ipHeader + 13) & 0xff) == 0x10) {
      while (next + headers <= to) {
        int length = in.getShort(next + 2) & 0xffff;
        int nextSize = length - headers;
        int flags = in.get(next + ipHeader + 13) & 0xff;
        if (next + length > to || nextSize <= 0 || nextSize > size || (flags != 0x10 && flags != 0x18)
            || !sameFlow(in, first, next, ipHeader, tcpHeader)
            || in.getInt(next + ipHeader + 4) != in.getInt(first + ipHeader + 4) + total
            || headers + total + nextSize > 65535) {
          break;
        }
        total += nextSize;
        count++;
        next += length;
        if (nextSize < size || flags == 0x18) {
          push = flags == 0x18;
          break; // a short or pushed segment ends the run
        }
      }
    }
    out.order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, (byte) 0).put(1, (byte) GSO_NONE).putShort(2, (short) 0).putShort(4, (short) 0)
        .putShort(6, (short) 0).putShort(8, (short) 0);
    out.order(ByteOrder.BIG_ENDIAN);
    if (count == 1) {
      copy(in, first, out, VNET_HDR, firstLength);
      out.limit(VNET_HDR + firstLength);
      return first + firstLength;
    }
    int o = VNET_HDR;
    copy(in, first, out, o, headers);
    int at = o + headers;
    for (int packet = first, left = count; left > 0; left--) {
      int length = in.getShort(packet + 2) & 0xffff;
      copy(in, packet + headers, out, at, length - headers);
      at += length - headers;
      packet += length;
    }
    out.putShort(o + 2, (short) (headers + total));
    ipChecksum(out, o, ipHeader);
    if (push) {
      out.put(o + ipHeader + 13, (byte) 0x18);
    }
    // The device takes the TCP checksum as partial: the pseudo-header sum, folded, not inverted.
    out.putShort(o + ipHeader + 16, (short) fold(pseudoHeaderSum(out, o, tcpHeader + total)));
    out.order(ByteOrder.LITTLE_ENDIAN);
    out.put(0, (byte) NEEDS_CSUM).put(1, (byte) GSO_TCPV4).putShort(2, (short) headers).putShort(4, (short) size)
        .putShort(6, (short) ipHeader).putShort(8, (short) 16);
    out.order(ByteOrder.BIG_ENDIAN);
    out.limit(at);
    return next;
  }

  private static boolean sameFlow(ByteBuffer in, int a, int b, int ipHeader, int tcpHeader) {
    if (((in.get(b) & 0x0f) * 4) != ipHeader || ((in.get(b + ipHeader + 12) >> 4) & 0x0f) * 4 != tcpHeader
        || in.getLong(a + 12) != in.getLong(b + 12) || in.get(a + 9) != in.get(b + 9)
        || in.getInt(a + ipHeader) != in.getInt(b + ipHeader)               // ports
        || in.getInt(a + ipHeader + 8) != in.getInt(b + ipHeader + 8)) {    // ack
      return false;
    }
    for (int i = 20; i < tcpHeader; i++) { // options (timestamps) must match too, as the kernel's GRO asks
      if (in.get(a + ipHeader + i) != in.get(b + ipHeader + i)) {
        return false;
      }
    }
    return true;
  }

  private static void copy(ByteBuffer from, int at, ByteBuffer to, int into, int length) {
    to.put(into, from, at, length);
  }

  private static void ipChecksum(ByteBuffer packet, int ip, int ipHeader) {
    packet.putShort(ip + 10, (short) 0);
    packet.putShort(ip + 10, (short) ~fold(sum(packet, ip, ipHeader, 0)));
  }

  private static void tcpChecksum(ByteBuffer packet, int ip, int ipHeader, int tcpLength) {
    int tcp = ip + ipHeader;
    packet.putShort(tcp + 16, (short) 0);
    long sum = sum(packet, tcp, tcpLength, pseudoHeaderSum(packet, ip, tcpLength));
    packet.putShort(tcp + 16, (short) ~fold(sum));
  }

  /** Completes a partial checksum: the sum from csumStart to the end, stored at csumStart + csumOffset. */
  private static void finishChecksum(ByteBuffer packet, int ip, int length, int csumStart, int csumOffset) {
    if (csumStart + csumOffset + 2 > length) {
      return;
    }
    long sum = sum(packet, ip + csumStart, length - csumStart, 0);
    packet.putShort(ip + csumStart + csumOffset, (short) ~fold(sum));
  }

  private static long pseudoHeaderSum(ByteBuffer packet, int ip, int tcpLength) {
    return (packet.getInt(ip + 12) & 0xffffffffL) + (packet.getInt(ip + 16) & 0xffffffffL) + TCP + tcpLength;
  }

  private static long sum(ByteBuffer packet, int at, int length, long initial) {
    long sum = initial;
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      sum += packet.getInt(at + i) & 0xffffffffL;
    }
    for (; i + 2 <= length; i += 2) {
      sum += packet.getShort(at + i) & 0xffff;
    }
    if (i < length) {
      sum += (packet.get(at + i) & 0xff) << 8;
    }
    return sum;
  }

  private static int fold(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) sum;
  }
}
