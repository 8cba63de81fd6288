package dev.ignis.runtime.image;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Data uncompressed by a program run as a filter (zstd layers, xz kernels): what Java's library
 * does not read. The program's errors are discarded; a stream that ends early says something
 * went wrong to whoever reads it.
 */
public final class ProgramFilter {

  private ProgramFilter() {}

  /**
   * The output of {@code argv} fed with {@code compressed}. {@code what} and {@code packageName}
   * (Debian's) make the error when the program is not installed.
   */
  public static InputStream run(InputStream compressed, String what, String packageName, String... argv)
      throws IOException {
    Process process;
    try {
      process = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, what + " needs the " + argv[0] + " program, which is not"
          + " installed; install it (apt-get install " + packageName + ")");
    }
    Thread feeder = new Thread(() -> {
      try (var stdin = process.getOutputStream()) {
        compressed.transferTo(stdin);
      } catch (IOException e) {
        process.destroy(); // the reader sees the stream end early, and the tar reader says so
      }
    }, argv[0] + "-feed");
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
