package dev.ignis.runtime.hypervisor;

import dev.ignis.spi.Command;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * QEMU's {@code microvm} machine: an uncompressed PVH kernel and an initrd, virtio-net (MMIO)
 * on a tap in the sandbox netns, the serial console to a file, QMP on a Unix socket. QEMU
 * daemonizes inside the netns, so the VM outlives the runtime command that started it.
 */
public final class QemuDriver implements Hypervisor {

  /** The QEMU binary, from Debian's qemu-system-x86. */
  static final String BINARY = "qemu-system-x86_64";
  /** The VM directory's socket of the serial console, which {@code runtime attach} connects to. */
  public static final String CONSOLE_SOCKET = "console.sock";

  /** What the default image prints on its console once its network and web server are up. */
  public static final String READY_MARKER = "IGNIS-READY";

  /**
   * The marker as the guest prints it: at the start of a console line. Kernel messages that
   * merely quote it (its command line, unknown parameters) never start a line with it.
   */
  private static final java.util.regex.Pattern READY_LINE =
      java.util.regex.Pattern.compile("(?m)^\\r?" + READY_MARKER + "(\\s|$)");

  private final CommandRunner commands;

  @com.google.inject.Inject
  public QemuDriver(CommandRunner commands) {
    this.commands = commands;
  }

  /** Throws a clear error unless QEMU is installed. */
  public static void checkInstalled() {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
    for (String dir : path.split(":")) {
      if (Files.isExecutable(Path.of(dir, BINARY))) {
        return;
      }
    }
    throw new IgnisException(ErrorCode.PLUGIN_NOT_AVAILABLE,
        "QEMU is not installed (" + BINARY + " not on PATH); install the Debian package qemu-system-x86");
  }

  @Override
  public GuestProcess start(GuestSpec spec) {
    // A cancelled command (its thread interrupted) must not abandon QEMU half-way: its
    // daemonized child would run on unknown to the rollback, before it wrote its pid file, and
    // write into the VM's directory after the rollback removed it. The start (a fraction of a
    // second) finishes, and an interrupt stays set for the next step.
    return dev.ignis.runtime.exec.Uninterruptibly.call("qemu-start-" + spec.name(), () -> startQemu(spec));
  }

  private GuestProcess startQemu(GuestSpec spec) {
    checkInstalled();
    Path console = spec.vmDir().resolve("console.log");
    Path control = spec.vmDir().resolve("qmp.sock");
    Path consoleSocket = spec.vmDir().resolve(CONSOLE_SOCKET);
    Path pidFile = spec.vmDir().resolve("qemu.pid");
    try {
      Files.deleteIfExists(pidFile);
      Files.deleteIfExists(control);
      Files.deleteIfExists(consoleSocket);
      // The console shows what the guest prints, secrets included: owner only. QEMU truncates
      // the file and keeps its mode.
      Files.deleteIfExists(console);
      Files.createFile(console, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot prepare " + spec.vmDir() + ": " + e.getMessage(), e);
    }
    List<String> argv = new ArrayList<>(List.of(BINARY,
        "-name", spec.name(),
        "-M", "microvm,rtc=on", "-accel", spec.accel(),
        "-cpu", spec.accel().equals("kvm") ? "host" : "max",
        "-m", String.valueOf(spec.memoryMib()), "-smp", String.valueOf(spec.cpus()),
        "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
        "-kernel", spec.kernel().toString(), "-initrd", spec.initrd().toString(), "-append", spec.cmdline(),
        // The serial console: logged to console.log whether or not anyone is attached, and
        // served on a Unix socket for 'runtime attach' (one client at a time).
        "-chardev", "socket,id=console,path=" + commaEscaped(consoleSocket) + ",server=on,wait=off,logfile="
            + commaEscaped(console) + ",logappend=off",
        "-serial", "chardev:console",
        "-qmp", "unix:" + control + ",server=on,wait=off",
        "-daemonize", "-pidfile", pidFile.toString()));
    if (spec.rootDisk() != null) { // the guest's /dev/vda
      argv.addAll(List.of("-drive", "id=root,file=" + spec.rootDisk().toString().replace(",", ",,")
          + ",format=" + (spec.rootDisk().toString().endsWith(".qcow2") ? "qcow2" : "raw") + ",if=none,discard=unmap", "-device", "virtio-blk-device,drive=root"));
    }
    for (int i = 0; i < spec.nics().size(); i++) {
      GuestSpec.Nic nic = spec.nics().get(i);
      argv.addAll(List.of("-netdev", "tap,id=net" + i + ",ifname=" + nic.tap() + ",script=no,downscript=no",
          "-device", "virtio-net-device,netdev=net" + i + ",mac=" + nic.mac()));
    }
    Command command = Command.of(argv).withTimeout(Duration.ofSeconds(30));
    if (spec.netnsPath() != null) {
      command = command.inNetns(spec.netnsPath());
    }
    var result = commands.run(command);
    if (!result.succeeded()) {
      String why = (result.stderr() + result.stdout()).strip().lines().findFirst().orElse("no output");
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "QEMU failed to start VM " + spec.name() + ": " + why,
          result.stderr(), null);
    }
    try {
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      return new GuestProcess(pid, spec.accel(), console.toString(), control.toString());
    } catch (IOException | NumberFormatException e) {
      throw new IgnisException(ErrorCode.PLUGIN_FAILED, "QEMU started but wrote no pid file " + pidFile, e);
    }
  }

  @Override
  public void awaitReady(GuestProcess guest, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Path console = Path.of(guest.console());
    while (true) {
      String text = read(console);
      if (READY_LINE.matcher(text).find()) {
        return;
      }
      if (!isAlive(guest)) {
        throw new IgnisException(ErrorCode.PLUGIN_FAILED, "QEMU exited while the VM was booting; the console says: "
            + lastLines(text));
      }
      if (System.nanoTime() > deadline) {
        throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "the VM did not become ready within " + timeout.toSeconds()
            + " s; the console says: " + lastLines(text));
      }
      sleep(50);
    }
  }

  /** A path in a QEMU option value, where a comma separates options unless doubled. */
  private static String commaEscaped(Path path) {
    return path.toString().replace(",", ",,");
  }

  /** The QEMU whose pid file lies in {@code vmDir}, if it still runs there (checked by its console path). */
  @Override
  public java.util.Optional<GuestProcess> find(Path vmDir) {
    try {
      long pid = Long.parseLong(Files.readString(vmDir.resolve("qemu.pid")).strip());
      GuestProcess guest = new GuestProcess(pid, "", vmDir.resolve("console.log").toString(),
          vmDir.resolve("qmp.sock").toString());
      return isAlive(guest) ? java.util.Optional.of(guest) : java.util.Optional.empty();
    } catch (IOException | NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  @Override
  public boolean isAlive(GuestProcess guest) {
    try {
      String cmdline = Files.readString(Path.of("/proc", String.valueOf(guest.pid()), "cmdline"), StandardCharsets.ISO_8859_1);
      return cmdline.contains(BINARY) && cmdline.contains(guest.console());
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void stop(GuestProcess guest, Duration grace) {
    if (!isAlive(guest)) {
      return;
    }
    try {
      Qmp.execute(Path.of(guest.control()), "system_powerdown");
    } catch (IgnisException e) {
      kill(guest);
      return;
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (isAlive(guest) && System.nanoTime() < deadline) {
      sleep(50);
    }
    kill(guest);
  }

  /** QMP set_link on the network card's netdev ({@code net0}, {@code net1}, ...). */
  @Override
  public void setLink(GuestProcess guest, int nic, boolean up) {
    Qmp.execute(Path.of(guest.control()), "set_link", "{\"name\":\"net" + nic + "\",\"up\":" + up + "}");
  }

  @Override
  public void kill(GuestProcess guest) {
    if (!isAlive(guest)) {
      return;
    }
    ProcessHandle.of(guest.pid()).ifPresent(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (isAlive(guest) && System.nanoTime() < deadline) {
      sleep(20);
    }
  }

  /** The console's last lines, joined with " | ", for one-line errors. */
  /** A console line that explains a failed boot: an error of Ignis' init, a panic, a failure. */
  private static final java.util.regex.Pattern EXPLAINS = java.util.regex.Pattern.compile(
      "^ignis: |Kernel panic|[Ee]rror|[Ff]ail|[Cc]annot |[Uu]nable to|[Nn]ot found|No such file|not supported|invalid");
  /** A line of a kernel trace or register dump, which explains nothing to a user. */
  private static final java.util.regex.Pattern TRACE = java.util.regex.Pattern.compile(
      "^(Call Trace|<TASK>|</TASK>|Kernel Offset|CPU: |Hardware name|RIP:|RSP:|RAX:|RDX:|RBP:|R1[0-5]:|R[0-9]:|FS:|CS:|CR2:|"
      + "Code:|---\\[ end)|^\\s*\\?|\\+0x[0-9a-f]+/0x[0-9a-f]+");

  /**
   * The console lines that explain a failed boot, without kernel time stamps: the last three
   * that say what went wrong (an error of Ignis' init, a panic, a failure; not the trace after a
   * panic), else the last three lines.
   */
  static String lastLines(String text) {
    List<String> lines = text.lines().map(l -> l.replaceFirst("^\\[ *[0-9.]+\\] ", "").strip())
        .filter(l -> !l.isBlank()).toList();
    List<String> explaining = lines.stream().filter(l -> EXPLAINS.matcher(l).find() && !TRACE.matcher(l).find())
        .toList();
    List<String> shown = explaining.isEmpty() ? lines : explaining;
    return shown.isEmpty() ? "(none)" : String.join(" | ", shown.subList(Math.max(0, shown.size() - 3), shown.size()));
  }

  private static String read(Path console) {
    try {
      return Files.readString(console, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      return "";
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "interrupted while waiting for QEMU", e);
    }
  }
}
