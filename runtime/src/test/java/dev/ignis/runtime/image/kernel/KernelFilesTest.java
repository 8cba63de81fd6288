package dev.ignis.runtime.image.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ignis.spi.IgnisException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vmlinux, BzImage and module dependencies on small ELF files made here (real kernels: KernelIT). */
class KernelFilesTest {

  @TempDir Path dir;

  @Test
  void aVmlinuxWithAPvhNote_isReadWithItsRelease() throws Exception {
    Path kernel = Files.write(dir.resolve("vmlinux"), elf(true, "Linux version 6.1.99-test (x@y) #1"));
    assertThat(Vmlinux.read(kernel, "vmlinux").release()).isEqualTo("6.1.99-test");
  }

  @Test
  void aVmlinuxWithoutAPvhNote_orNotX86_isRefused() throws Exception {
    Path noNote = Files.write(dir.resolve("plain"), elf(false, "Linux version 6.1.99-test"));
    assertThatThrownBy(() -> Vmlinux.read(noNote, "plain")).isInstanceOf(IgnisException.class)
        .hasMessageContaining("plain has no PVH entry point");
    byte[] arm = elf(true, "");
    arm[18] = (byte) 183; // EM_AARCH64
    Path armKernel = Files.write(dir.resolve("arm"), arm);
    assertThatThrownBy(() -> Vmlinux.read(armKernel, "arm")).hasMessageContaining("is not a 64-bit x86 kernel");
  }

  @Test
  void aBzImage_givesBackTheVmlinuxInside_andOneCutShortIsRefused() throws Exception {
    byte[] vmlinux = elf(true, "Linux version 6.1.99-bz");
    byte[] image = bzImage(gzip(vmlinux));
    assertThat(BzImage.is(image)).isTrue();
    Path file = Files.write(dir.resolve("bzImage"), image);
    Path out = dir.resolve("out");
    BzImage.extract(file, out, "bzImage");
    assertThat(Files.readAllBytes(out)).isEqualTo(vmlinux);

    Path cut = Files.write(dir.resolve("cut"), java.util.Arrays.copyOf(image, image.length - 40));
    assertThatThrownBy(() -> BzImage.extract(cut, dir.resolve("out2"), "cut")).hasMessageContaining("cut is cut short");
    assertThat(dir.resolve("out2")).doesNotExist();
  }

  @Test
  void aModulesDependencies_comeFromItsModinfo() {
    byte[] module = moduleElf("license=GPL\0depends=virtio,virtio_ring,net-failover\0name=virtio_net\0");
    assertThat(DebianKernelPackage.dependencies(module)).containsExactly("virtio", "virtio_ring", "net_failover");
    assertThat(DebianKernelPackage.dependencies(moduleElf("depends=\0"))).isEmpty();
    assertThat(DebianKernelPackage.dependencies("not an elf".getBytes(StandardCharsets.US_ASCII))).isEmpty();
  }

  /** An x86-64 ELF with one PT_NOTE segment (the Xen PVH note when {@code pvh}) and a banner. */
  static byte[] elf(boolean pvh, String banner) {
    ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1);
    b.putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
    // program header at 64: PT_NOTE, offset 128, size 24
    b.putInt(64, 4).putLong(64 + 8, 128).putLong(64 + 32, 24);
    b.putInt(128, 4).putInt(132, 4).putInt(136, pvh ? 18 : 1).put(140, (byte) 'X').put(141, (byte) 'e')
        .put(142, (byte) 'n').putInt(144, 0x1000000);
    byte[] text = banner.getBytes(StandardCharsets.US_ASCII);
    b.position(200);
    b.put(text);
    return b.array();
  }

  /** An ELF with section headers: the name table and {@code .modinfo}. */
  private static byte[] moduleElf(String modinfo) {
    byte[] info = modinfo.getBytes(StandardCharsets.US_ASCII);
    byte[] names = "\0.shstrtab\0.modinfo\0".getBytes(StandardCharsets.US_ASCII);
    int namesAt = 64;
    int infoAt = namesAt + names.length;
    int sections = (infoAt + info.length + 7) & ~7;
    ByteBuffer b = ByteBuffer.allocate(sections + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
    b.putShort(16, (short) 1).putShort(18, (short) 62).putLong(40, sections).putShort(58, (short) 64)
        .putShort(60, (short) 3).putShort(62, (short) 1);
    b.position(namesAt);
    b.put(names).put(info);
    b.putInt(sections + 64, 1).putLong(sections + 64 + 24, namesAt).putLong(sections + 64 + 32, names.length);
    b.putInt(sections + 128, 11).putLong(sections + 128 + 24, infoAt).putLong(sections + 128 + 32, info.length);
    return b.array();
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** A bzImage: one setup sector, boot protocol 2.15, the payload right after the setup code. */
  private static byte[] bzImage(byte[] payload) {
    int code = 2 * 512;
    ByteBuffer b = ByteBuffer.allocate(code + 64 + payload.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0x1f1, (byte) 1).put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
    b.putShort(0x206, (short) 0x020f).putInt(0x248, 64).putInt(0x24c, payload.length);
    b.position(code + 64);
    b.put(payload);
    return b.array();
  }
}
