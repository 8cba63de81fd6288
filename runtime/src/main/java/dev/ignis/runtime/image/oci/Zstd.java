package dev.ignis.runtime.image.oci;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;

/** zstd-compressed layers, uncompressed by the {@code zstd} program (Debian package zstd) as a filter. */
final class Zstd {

  private Zstd() {}

  static InputStream decompress(InputStream compressed, String what) throws IOException {
    Process process;
    try {
      process = new ProcessBuilder("zstd", "-d", "-c", "-q").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, what + " is zstd-compressed and no zstd program is installed;"
          + " install it (apt-get install zstd)");
    }
    Thread feeder = new Thread(() -> {
      try (var stdin = process.getOutputStream()) {
        compressed.transferTo(stdin);
      } catch (IOException e) {
        process.destroy(); // the reader sees the stream end early, and the tar reader says so
      }
    }, "zstd-feed");
    feeder.setDaemon(true);
    feeder.start();
    InputStream out = process.getInputStream();
    return new InputStream() {
      @Override
      public int read() throws IOException {
        return out.read();
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        return out.read(buffer, offset, length);
      }

      @Override
      public void close() throws IOException {
        out.close();
        process.destroy();
      }
    };
  }
}
