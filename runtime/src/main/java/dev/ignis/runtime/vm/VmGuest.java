package dev.ignis.runtime.vm;

import dev.ignis.runtime.guest.GuestDhcp;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.hypervisor.GuestProcess;
import dev.ignis.runtime.hypervisor.GuestSpec;
import dev.ignis.runtime.hypervisor.Hypervisor;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import dev.ignis.spi.IpConfig;
import dev.ignis.spi.NetInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The guest of a VM: links the plugin's interface to a tap, boots the kernel with the VM's
 * network on its command line ({@code ip=}), waits until it is ready, and stops it again.
 */
public final class VmGuest {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VmGuest.class);

  private final Hypervisor hypervisor;
  private final ImageStore images;
  private final AccelProbe accel;
  private final GuestLink link;
  private final GuestDhcp dhcp;
  private final Path vmsDir;
  private final Duration bootTimeout;
  private final boolean earlyStart;

  public VmGuest(Hypervisor hypervisor, ImageStore images, AccelProbe accel, GuestLink link, GuestDhcp dhcp,
      Path vmsDir, Duration bootTimeout) {
    this(hypervisor, images, accel, link, dhcp, vmsDir, bootTimeout, true);
  }

  /** The same, choosing whether guests of the default image start while their network is attached. */
  public VmGuest(Hypervisor hypervisor, ImageStore images, AccelProbe accel, GuestLink link, GuestDhcp dhcp,
      Path vmsDir, Duration bootTimeout, boolean earlyStart) {
    this.earlyStart = earlyStart;
    this.hypervisor = hypervisor;
    this.images = images;
    this.accel = accel;
    this.link = link;
    this.dhcp = dhcp;
    this.vmsDir = vmsDir;
    this.bootTimeout = bootTimeout;
  }

  /** Boots the VM's guest on its attachment and returns once it is ready (or throws). */
  GuestProcess boot(Vm vm, Attachment attachment) {
    ImageStore.Image image = images.resolve(vm.spec().boot().kernel(), vm.spec().boot().initrd());
    Path vmDir = vmsDir.resolve(vm.id());
    String accelerator = accel.resolve(vm.spec().boot().accel(), image.kernel(), image.initrd(),
        vmsDir.getParent().resolve("accel-probe-run"));
    NetInterface nic = attachment.guestNic().orElse(null);
    String tap = null;
    String mac = nic == null || nic.mac().isEmpty() ? vm.spec().mac() : nic.mac();
    long begin = System.nanoTime();
    long linked = begin;
    if (nic != null && !attachment.netnsPath().isEmpty()) {
      link.connect(attachment.netnsPath(), nic.name());
      tap = GuestLink.TAP;
      linked = System.nanoTime();
      ipv4(nic).ifPresent(ip -> dhcp.serve(attachment.netnsPath(), vmDir, mac, ip, gatewayOf(ip, attachment),
          attachment.dns().nameservers().stream().filter(IpConfig::isIpLiteral).toList()));
    }
    long served = System.nanoTime();
    GuestSpec spec = new GuestSpec(vm.name(), vmDir, attachment.netnsPath().isEmpty() ? null : attachment.netnsPath(),
        tap, mac, image.kernel(), image.initrd(), cmdline(vm, attachment, nic), vm.spec().cpus(), vm.spec().memoryMib(),
        accelerator);
    GuestProcess guest = hypervisor.start(spec);
    long started = System.nanoTime();
    awaitReady(vm, guest);
    log.debug("timing: VM {} guest link {} ms, DHCP server {} ms, QEMU start {} ms, boot to ready {} ms", vm.name(),
        (linked - begin) / 1_000_000, (served - linked) / 1_000_000, (started - served) / 1_000_000,
        (System.nanoTime() - started) / 1_000_000);
    return guest;
  }

  /**
   * Whether the VM's guest can start before its network is attached ({@link #startEarly}): the
   * default image, once built (a network that cannot attach fails before the image is built) by
   * a build whose init takes its address by DHCP when told to, in a sandbox the runtime makes,
   * unless the setting {@code boot.early} is off.
   */
  boolean canStartEarly(Vm vm, boolean pluginBringsSandbox) {
    return earlyStart && !pluginBringsSandbox && vm.netns() != null && vm.spec().boot().kernel().isEmpty()
        && images.defaultImageTakesDhcp();
  }

  /**
   * Starts the guest on a tap of its own in the sandbox, with the VM's MAC, told to take its
   * address by DHCP: it boots while the plugin attaches the network, which {@link #finishEarly}
   * then links to it.
   */
  GuestProcess startEarly(Vm vm, String netnsPath) {
    ImageStore.Image image = images.resolve(vm.spec().boot().kernel(), vm.spec().boot().initrd());
    String accelerator = accel.resolve(vm.spec().boot().accel(), image.kernel(), image.initrd(),
        vmsDir.getParent().resolve("accel-probe-run"));
    link.createTap(netnsPath);
    String cmdline = cmdline(vm, Attachment.builder(vm.spec().networkPlugin(), vm.ref()).build(), null, true);
    GuestProcess guest = hypervisor.start(new GuestSpec(vm.name(), vmsDir.resolve(vm.id()), netnsPath, GuestLink.TAP,
        vm.spec().mac(), image.kernel(), image.initrd(), cmdline, vm.spec().cpus(), vm.spec().memoryMib(), accelerator));
    try {
      // Unplugged until its DHCP server answers: the init waits for the carrier and then asks at
      // once, instead of asking into a network not attached yet and again a second later.
      hypervisor.setLink(guest, false);
    } catch (IgnisException e) {
      log.debug("VM {}: the card stays plugged in ({}); the guest asks for its address until it gets one", vm.name(),
          e.getMessage());
    }
    return guest;
  }

  /**
   * Links a guest started early to the network now attached, serves its address by DHCP and
   * waits until it is ready. A plugin that gave the interface another MAC than the VM's (the
   * guest cannot take it over then), or no IPv4 address (the guest would wait for a DHCP answer
   * that cannot come), gets the guest booted again the ordinary way.
   */
  GuestProcess finishEarly(Vm vm, Attachment attachment, GuestProcess early) {
    NetInterface nic = attachment.guestNic().orElse(null);
    if (nic == null || !nic.mac().isEmpty() && !nic.mac().equalsIgnoreCase(vm.spec().mac()) || ipv4(nic).isEmpty()) {
      log.debug("VM {}: the plugin's interface has another MAC or no IPv4 address; booting again on it", vm.name());
      hypervisor.kill(early);
      link.deleteTap(attachment.netnsPath());
      return boot(vm, attachment);
    }
    long begin = System.nanoTime();
    link.joinTap(attachment.netnsPath(), nic.name());
    ipv4(nic).ifPresent(ip -> dhcp.serve(attachment.netnsPath(), vmsDir.resolve(vm.id()), vm.spec().mac(), ip,
        gatewayOf(ip, attachment), attachment.dns().nameservers().stream().filter(IpConfig::isIpLiteral).toList()));
    try {
      hypervisor.setLink(early, true);
    } catch (IgnisException e) {
      if (e.code() != ErrorCode.NOT_SUPPORTED) { // else never unplugged
        hypervisor.kill(early);
        throw new IgnisException(e.code(), "VM '" + vm.name() + "': cannot plug its network card in: " + e.getMessage(), e);
      }
    }
    long linked = System.nanoTime();
    awaitReady(vm, early);
    String address = ipv4(nic).map(IpConfig::ip).orElseThrow();
    if (!readyWith(early, vm.name(), address)) {
      hypervisor.kill(early);
      throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "VM '" + vm.name() + "' became ready without its address "
          + address + " (its DHCP went unanswered); run 'runtime logs " + vm.name() + "' for its console");
    }
    log.debug("timing: VM {} started early; link and DHCP server {} ms, then ready after {} ms", vm.name(),
        (linked - begin) / 1_000_000, (System.nanoTime() - linked) / 1_000_000);
    return early;
  }

  /** Whether the guest's ready line names the address it was to take by DHCP. */
  static boolean readyWith(GuestProcess guest, String name, String address) {
    try {
      String console = java.nio.file.Files.readString(java.nio.file.Path.of(guest.console()),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      return console.contains(dev.ignis.runtime.hypervisor.QemuDriver.READY_MARKER + " " + name + " " + address + "/");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Waits until the guest is ready; kills it if it is not in time or dies, naming the VM in the error. */
  private void awaitReady(Vm vm, GuestProcess guest) {
    try {
      hypervisor.awaitReady(guest, bootTimeout);
    } catch (IgnisException e) {
      hypervisor.kill(guest);
      throw new IgnisException(e.code(), "VM '" + vm.name() + "': " + e.getMessage(), e);
    }
  }

  /** Powers the guest off (ACPI), killing it after the grace period. */
  void stop(GuestProcess guest, Duration grace) {
    if (guest != null) {
      hypervisor.stop(guest, grace);
    }
  }

  /** Kills the VM's guest at once: the recorded one, or one a start killed half-way left. */
  void kill(Vm vm) {
    GuestProcess guest = vm.guest() != null ? vm.guest() : hypervisor.find(vmsDir.resolve(vm.id())).orElse(null);
    if (guest != null) {
      hypervisor.kill(guest);
    }
  }

  /** Kills the QEMU and DHCP server of a VM known only by its id (its record cannot be read, or is gone). */
  void killUnread(String id) {
    Path vmDir = vmsDir.resolve(id);
    hypervisor.find(vmDir).ifPresent(hypervisor::kill);
    dhcp.stop(vmDir);
  }

  /** Gives the plugin's interface back its addresses, as the plugin's DEL expects to find it. */
  void unlink(Vm vm, Attachment attachment) {
    dhcp.stop(vmsDir.resolve(vm.id()));
    if (attachment == null || attachment.netnsPath().isEmpty() || !Files.exists(Path.of(attachment.netnsPath()))) {
      return;
    }
    NetInterface nic = attachment.guestNic().orElse(null);
    if (nic != null) {
      link.disconnect(attachment.netnsPath(), nic.name(),
          nic.ips().stream().map(IpConfig::address).toList());
    }
  }

  /** True while the guest's hypervisor runs. */
  boolean isAlive(GuestProcess guest) {
    return guest != null && hypervisor.isAlive(guest);
  }

  /** Ignis' kernel arguments: serial console, the VM's network as {@code ip=}, its name; then the user's. */
  static String cmdline(Vm vm, Attachment attachment, NetInterface nic) {
    return cmdline(vm, attachment, nic, false);
  }

  /** The same; with {@code dhcp} the guest is told to take its address by DHCP ({@code ignis.net=dhcp}). */
  static String cmdline(Vm vm, Attachment attachment, NetInterface nic, boolean dhcp) {
    StringBuilder line = new StringBuilder("console=ttyS0 reboot=t panic=-1 quiet");
    line.append(" tsc_early_khz=").append(hostKhz());
    line.append(" ignis.name=").append(vm.name());
    java.util.Optional<IpConfig> v4 = ipv4(nic);
    if (v4.isPresent()) {
      IpConfig ip = v4.get();
      String gateway = gatewayOf(ip, attachment);
      List<String> dns = attachment.dns().nameservers();
      line.append(" ip=").append(ip.ip()).append("::").append(gateway).append(':').append(ip.prefixLength())
          .append(':').append(vm.name()).append(":eth0:off");
      dns.stream().filter(IpConfig::isIpLiteral).limit(2).forEach(server -> line.append(':').append(server));
    }
    if (dhcp) {
      line.append(" ignis.net=dhcp");
    }
    // The user's arguments come last: after a '--' in them, words go to init.
    if (!vm.spec().boot().cmdline().isBlank()) {
      line.append(' ').append(vm.spec().boot().cmdline().strip());
    }
    return line.toString();
  }

  private static java.util.Optional<IpConfig> ipv4(NetInterface nic) {
    return nic == null ? java.util.Optional.empty() : nic.ips().stream().filter(ip -> !ip.ip().contains(":")).findFirst();
  }

  private static String gatewayOf(IpConfig ip, Attachment attachment) {
    return ip.gatewayIfAny().orElseGet(() -> attachment.routes().stream()
        .filter(r -> r.destination().equals("0.0.0.0/0")).map(r -> r.gateway()).findFirst().orElse(""));
  }

  /**
   * The host CPU's speed in kHz: microvm guests need {@code tsc_early_khz}, or a boot under
   * load can hang in TSC calibration (FACTS.md).
   */
  private static long hostKhz() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("cpu MHz"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip()).mapToLong(mhz -> (long) (Double.parseDouble(mhz) * 1000))
          .findFirst().orElse(2_000_000);
    } catch (IOException | NumberFormatException e) {
      return 2_000_000;
    }
  }
}
