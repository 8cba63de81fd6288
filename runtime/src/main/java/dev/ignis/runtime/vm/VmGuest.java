package dev.ignis.runtime.vm;

import dev.ignis.runtime.guest.GuestDhcp;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.runtime.guest.HostResolvers;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.hypervisor.GuestProcess;
import dev.ignis.runtime.hypervisor.GuestSpec;
import dev.ignis.runtime.hypervisor.Hypervisor;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.runtime.image.oci.ImageBoot;
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
  private final HostResolvers hostResolvers;
  private final ImageBoot imageBoot;

  public VmGuest(Hypervisor hypervisor, ImageStore images, AccelProbe accel, GuestLink link, GuestDhcp dhcp,
      Path vmsDir, Duration bootTimeout) {
    this(hypervisor, images, accel, link, dhcp, vmsDir, bootTimeout, true, new HostResolvers(), null);
  }

  /**
   * The same, choosing whether guests of the default image start while their network is
   * attached, where the host's nameservers are read, and what boots VMs of imported images.
   */
  public VmGuest(Hypervisor hypervisor, ImageStore images, AccelProbe accel, GuestLink link, GuestDhcp dhcp,
      Path vmsDir, Duration bootTimeout, boolean earlyStart, HostResolvers hostResolvers, ImageBoot imageBoot) {
    this.earlyStart = earlyStart;
    this.hostResolvers = hostResolvers;
    this.imageBoot = imageBoot;
    this.hypervisor = hypervisor;
    this.images = images;
    this.accel = accel;
    this.link = link;
    this.dhcp = dhcp;
    this.vmsDir = vmsDir;
    this.bootTimeout = bootTimeout;
  }

  /** The default image's init revision that configures several network cards. */
  static final int SEVERAL_NICS_REVISION = 4;
  /**
   * The default image's init revision that boots a VM from its disk (an imported image) as the
   * runtime now expects: the image's user, and the VM's own SSH host key, which ssh then checks.
   */
  static final int IMAGE_REVISION = 10;
  /** The default image's init revision that copies {@code --copy-files} into place. */
  static final int COPY_FILES_REVISION = 10;

  /**
   * Throws, before anything changes, unless the VM's guest can boot: a VM of several networks
   * needs a default image whose init configures more than one card; a VM of an imported image
   * needs the image (runnable, with an SSH server for --ssh) and an init that boots from a disk.
   */
  void checkBootable(Vm vm) {
    if (vm.spec().networks().size() > 1 && vm.spec().boot().initrd().isEmpty() && images.hasDefaultImage()
        && images.defaultImageRevision() < SEVERAL_NICS_REVISION) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "the default image in " + images.defaultImageDir()
          + " was built before VMs had several networks; remove that directory and it is built again at the next run");
    }
    if (!vm.spec().boot().copyFiles().isEmpty() && images.hasDefaultImage()
        && images.defaultImageRevision() < COPY_FILES_REVISION) {
      throw new IgnisException(ErrorCode.NOT_SUPPORTED, "the default image in " + images.defaultImageDir()
          + " was built before --copy-files; remove that directory and it is built again at the next run");
    }
    String imageId = vm.spec().boot().image();
    if (!imageId.isEmpty()) {
      if (imageBoot == null) {
        throw new IgnisException(ErrorCode.NOT_SUPPORTED, "this runtime cannot boot imported images");
      }
      imageBoot.check(imageId, vm.spec().ssh(), vm.spec().boot().diskSizeMib());
      if (images.hasDefaultImage() && images.defaultImageRevision() < IMAGE_REVISION) {
        throw new IgnisException(ErrorCode.NOT_SUPPORTED, "the default image in " + images.defaultImageDir()
            + " was built before VMs booted imported images; remove that directory and it is built again at the"
            + " next run");
      }
    }
  }

  /** The nameservers the guest of a VM on these attachments uses. */
  public GuestDns dns(Vm vm, List<Attachment> attachments) {
    return GuestDns.choose(vm.spec(), attachments, hostResolvers);
  }

  /** Boots the VM's guest on its attachments and returns once it is ready (or throws). */
  GuestProcess boot(Vm vm, List<Attachment> attachments) {
    ImageStore.Image image = images.resolve(vm.spec().boot().kernel(), vm.spec().boot().initrd());
    Path vmDir = vmsDir.resolve(vm.id());
    String accelerator = accel.resolve(vm.spec().boot().accel(), image.kernel(), image.initrd(),
        vmsDir.getParent().resolve("accel-probe-run"));
    long begin = System.nanoTime();
    GuestDns dns = dns(vm, attachments);
    List<GuestSpec.Nic> nics = new java.util.ArrayList<>();
    String netnsPath = attachments.isEmpty() ? "" : attachments.get(0).netnsPath();
    for (int i = 0; i < attachments.size(); i++) {
      Attachment attachment = attachments.get(i);
      NetInterface nic = attachment.guestNic().orElse(null);
      if (nic == null || attachment.netnsPath().isEmpty()) {
        continue;
      }
      String mac = cardMac(vm, attachments, i);
      String tap = GuestLink.tap(i);
      link.connect(attachment.netnsPath(), nic.name(), tap);
      serveDhcp(vm, i, attachment, nic, mac, dns);
      nics.add(new GuestSpec.Nic(tap, mac));
    }
    long served = System.nanoTime();
    GuestProcess guest = hypervisor.start(guestSpec(vm, netnsPath.isEmpty() ? null : netnsPath, nics, image,
        cmdline(vm, attachments, dns), accelerator));
    long started = System.nanoTime();
    awaitReady(vm, guest);
    log.debug("timing: VM {} guest link and DHCP servers {} ms, QEMU start {} ms, boot to ready {} ms", vm.name(),
        (served - begin) / 1_000_000, (started - served) / 1_000_000, (System.nanoTime() - started) / 1_000_000);
    return guest;
  }

  /**
   * What QEMU boots: the kernel and the initrd, with the kernel's modules appended if it has
   * any; for a VM of an imported image, its own disk, and its launch file appended to the
   * initrd ({@link ImageBoot}).
   */
  private GuestSpec guestSpec(Vm vm, String netnsPath, List<GuestSpec.Nic> nics, ImageStore.Image image, String cmdline,
      String accelerator) {
    Path vmDir = vmsDir.resolve(vm.id());
    String imageId = vm.spec().boot().image();
    List<byte[]> archives = new java.util.ArrayList<>();
    image.modules().ifPresent(modules -> archives.add(archive(modules)));
    if (!imageId.isEmpty()) {
      archives.add(imageBoot.launchArchive(imageId, vm.spec().ssh(), vmDir));
    }
    // --copy-files: into the initramfs at every boot; into an image's disk once, when it is made.
    Path files = vmDir.resolve(CopyFiles.ARCHIVE);
    if (Files.exists(files) && (imageId.isEmpty() || !imageBoot.hasDisk(vmDir))) {
      archives.add(archive(files));
    }
    Path initrd = dev.ignis.runtime.image.GuestInitrd.write(vmDir, image.initrd(), archives);
    Path disk = imageId.isEmpty() ? null : imageBoot.disk(imageId, vm.spec().boot().diskSizeMib(), vmDir);
    return new GuestSpec(vm.name(), vmDir, netnsPath, nics, image.kernel(), initrd, cmdline, vm.spec().cpus(),
        vm.spec().memoryMib(), accelerator, disk);
  }

  /** A cpio archive to append to the initrd (a kernel's modules, a VM's copied files). */
  private static byte[] archive(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Serves the card's IPv4 address by DHCP on its tap; the first card's with the gateway and nameservers. */
  private void serveDhcp(Vm vm, int index, Attachment attachment, NetInterface nic, String mac, GuestDns dns) {
    java.util.Optional<String> v6 = ipv6(nic).map(ip -> ip.address() + defaultGateway(index, ip, attachment)
        .map(gw -> " " + gw).orElse(""));
    ipv4(nic).ifPresent(ip -> dhcp.serve(attachment.netnsPath(), vmsDir.resolve(vm.id()), GuestLink.tap(index), mac, ip,
        defaultGateway(index, ip, attachment).orElse(""),
        index == 0 ? dns.servers() : List.of(), v6));
  }

  /**
   * Whether the VM's guest can start before its networks are attached ({@link #startEarly}):
   * the default image's initramfs (with any kernel), once built (a network that cannot attach
   * fails before the image is built) by a build whose init takes its addresses by DHCP when told
   * to (on every card, for a VM of several), in a sandbox the runtime makes, unless the setting
   * {@code boot.early} is off.
   */
  boolean canStartEarly(Vm vm, boolean pluginBringsSandbox) {
    int needed = vm.spec().networks().size() > 1 ? SEVERAL_NICS_REVISION : 2;
    return earlyStart && !pluginBringsSandbox && vm.netns() != null && vm.spec().boot().initrd().isEmpty()
        && images.defaultImageRevision() >= needed;
  }

  /**
   * Starts the guest with a tap of its own in the sandbox for each card, with the VM's MACs,
   * told to take its addresses by DHCP: it boots while the plugins attach the networks, which
   * {@link #finishEarly} then links to it.
   */
  GuestProcess startEarly(Vm vm, String netnsPath) {
    ImageStore.Image image = images.resolve(vm.spec().boot().kernel(), vm.spec().boot().initrd());
    String accelerator = accel.resolve(vm.spec().boot().accel(), image.kernel(), image.initrd(),
        vmsDir.getParent().resolve("accel-probe-run"));
    List<GuestSpec.Nic> nics = new java.util.ArrayList<>();
    for (int i = 0; i < vm.spec().networks().size(); i++) {
      nics.add(new GuestSpec.Nic(GuestLink.tap(i), vm.spec().networks().get(i).mac()));
    }
    link.createTaps(netnsPath, nics.stream().map(GuestSpec.Nic::tap).toList());
    String cmdline = cmdline(vm, List.of(), null);
    GuestProcess guest = hypervisor.start(guestSpec(vm, netnsPath, nics, image, cmdline, accelerator));
    try {
      // Unplugged until its DHCP server answers: the init waits for the carrier and then asks at
      // once, instead of asking into a network not attached yet and again a second later.
      for (int i = 0; i < nics.size(); i++) {
        hypervisor.setLink(guest, i, false);
      }
    } catch (IgnisException e) {
      log.debug("VM {}: the cards stay plugged in ({}); the guest asks for its addresses until it gets them", vm.name(),
          e.getMessage());
    }
    return guest;
  }

  /**
   * Links a guest started early to the networks now attached, serves their addresses by DHCP
   * and waits until it is ready. A plugin that gave an interface another MAC than the VM's (the
   * guest cannot take it over then), or no IPv4 address (the guest would wait for a DHCP answer
   * that cannot come), gets the guest booted again the ordinary way.
   */
  GuestProcess finishEarly(Vm vm, List<Attachment> attachments, GuestProcess early) {
    List<NetInterface> nics = new java.util.ArrayList<>();
    for (int i = 0; i < attachments.size(); i++) {
      NetInterface nic = attachments.get(i).guestNic().orElse(null);
      if (nic == null || !nic.mac().isEmpty() && !nic.mac().equalsIgnoreCase(vm.spec().networks().get(i).mac())
          || ipv4(nic).isEmpty()) {
        log.debug("VM {}: network {} gave an interface of another MAC or no IPv4 address; booting again on it",
            vm.name(), i);
        hypervisor.kill(early);
        link.deleteTaps(attachments.get(0).netnsPath(), java.util.stream.IntStream.range(0, vm.spec().networks().size())
            .mapToObj(GuestLink::tap).toList());
        return boot(vm, attachments);
      }
      nics.add(nic);
    }
    long begin = System.nanoTime();
    GuestDns dns = dns(vm, attachments);
    for (int i = 0; i < nics.size(); i++) {
      Attachment attachment = attachments.get(i);
      link.joinTap(attachment.netnsPath(), nics.get(i).name(), GuestLink.tap(i));
      serveDhcp(vm, i, attachment, nics.get(i), vm.spec().networks().get(i).mac(), dns);
    }
    try {
      for (int i = 0; i < nics.size(); i++) {
        hypervisor.setLink(early, i, true);
      }
    } catch (IgnisException e) {
      if (e.code() != ErrorCode.NOT_SUPPORTED) { // else never unplugged
        hypervisor.kill(early);
        throw new IgnisException(e.code(), "VM '" + vm.name() + "': cannot plug its network card in: " + e.getMessage(), e);
      }
    }
    long linked = System.nanoTime();
    awaitReady(vm, early);
    for (NetInterface nic : nics) {
      String address = ipv4(nic).map(IpConfig::ip).orElseThrow();
      if (!readyWith(early, vm.name(), address)) {
        hypervisor.kill(early);
        throw new IgnisException(ErrorCode.TRY_AGAIN_LATER, "VM '" + vm.name() + "' became ready without its address "
            + address + " (its DHCP went unanswered); run 'runtime logs " + vm.name() + "' for its console");
      }
    }
    log.debug("timing: VM {} started early; links and DHCP servers {} ms, then ready after {} ms", vm.name(),
        (linked - begin) / 1_000_000, (System.nanoTime() - linked) / 1_000_000);
    return early;
  }

  /** Whether the guest's ready line ({@code IGNIS-READY NAME ADDRESS/PREFIX...}) names the address it was to take by DHCP. */
  static boolean readyWith(GuestProcess guest, String name, String address) {
    try {
      String console = java.nio.file.Files.readString(java.nio.file.Path.of(guest.console()),
          java.nio.charset.StandardCharsets.ISO_8859_1);
      String marker = dev.ignis.runtime.hypervisor.QemuDriver.READY_MARKER + " " + name + " ";
      return console.lines().filter(line -> line.strip().startsWith(marker))
          .anyMatch(line -> java.util.Arrays.asList(line.strip().substring(marker.length()).split(" "))
              .stream().anyMatch(word -> word.startsWith(address + "/")));
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

  /** Gives the plugins' interfaces back their addresses, as each plugin's DEL expects to find its own. */
  void unlink(Vm vm, List<Attachment> attachments) {
    dhcp.stop(vmsDir.resolve(vm.id()));
    for (int i = 0; i < attachments.size(); i++) {
      Attachment attachment = attachments.get(i);
      if (attachment.netnsPath().isEmpty() || !Files.exists(Path.of(attachment.netnsPath()))) {
        continue;
      }
      NetInterface nic = attachment.guestNic().orElse(null);
      if (nic != null) {
        link.disconnect(attachment.netnsPath(), nic.name(), GuestLink.tap(i),
            nic.ips().stream().map(IpConfig::address).toList());
      }
    }
  }

  /** True while the guest's hypervisor runs. */
  boolean isAlive(GuestProcess guest) {
    return guest != null && hypervisor.isAlive(guest);
  }

  /**
   * Ignis' kernel arguments: serial console, the VM's networks as {@code ip=} (one per card
   * with an IPv4 address, naming its {@code ethN}; the first card's with the gateway and DNS)
   * and {@code ignis.ip6=ethN,ADDRESS/PREFIX[,GATEWAY]} (one per card with an IPv6 address),
   * for several cards their MACs in order ({@code ignis.nics=}, which the init names {@code
   * eth0}, {@code eth1}, ... by), its name, its nameservers ({@code ignis.dns=A,B}; the IPv4 ones
   * also in the first {@code ip=}, for inits that read only that); without {@code dns} the guest
   * is told to take its addresses and nameservers by DHCP ({@code ignis.net=dhcp}); then the user's.
   */
  static String cmdline(Vm vm, List<Attachment> attachments, GuestDns dns) {
    boolean dhcp = dns == null;
    StringBuilder line = new StringBuilder("console=ttyS0 reboot=t panic=-1 quiet");
    line.append(" tsc_early_khz=").append(hostKhz());
    line.append(" ignis.name=").append(vm.name());
    for (int i = 0; i < attachments.size(); i++) {
      Attachment attachment = attachments.get(i);
      java.util.Optional<IpConfig> v4 = ipv4(attachment.guestNic().orElse(null));
      if (v4.isPresent()) {
        IpConfig ip = v4.get();
        String gateway = defaultGateway(i, ip, attachment).orElse("");
        line.append(" ip=").append(ip.ip()).append("::").append(gateway).append(':').append(ip.prefixLength())
            .append(':').append(vm.name()).append(':').append(VmSpec.interfaceName(i)).append(":off");
        if (i == 0 && dns != null) {
          dns.ipv4().stream().limit(2).forEach(server -> line.append(':').append(server)); // dns0 and dns1
        }
      }
      int index = i;
      ipv6(attachment.guestNic().orElse(null)).ifPresent(ip -> line.append(" ignis.ip6=")
          .append(VmSpec.interfaceName(index)).append(',').append(ip.address())
          .append(defaultGateway(index, ip, attachment).map(gw -> "," + gw).orElse("")));
    }
    if (vm.spec().networks().size() > 1) {
      line.append(" ignis.nics=").append(String.join(",", java.util.stream.IntStream.range(0,
          vm.spec().networks().size()).mapToObj(i -> cardMac(vm, attachments, i)).toList()));
    }
    if (!vm.spec().boot().image().isEmpty()) {
      line.append(" ignis.root=/dev/vda");
    }
    if (dhcp) {
      line.append(" ignis.net=dhcp");
    } else if (!dns.servers().isEmpty()) {
      line.append(" ignis.dns=").append(String.join(",", dns.servers()));
    }
    // The user's arguments come last: after a '--' in them, words go to init.
    if (!vm.spec().boot().cmdline().isBlank()) {
      line.append(' ').append(vm.spec().boot().cmdline().strip());
    }
    return line.toString();
  }

  /** The card's IPv6 address, if its network gave it one (the first, as for IPv4). */
  static java.util.Optional<IpConfig> ipv6(NetInterface nic) {
    return nic == null ? java.util.Optional.empty() : nic.ips().stream().filter(IpConfig::isIpv6).findFirst();
  }

  /**
   * The default gateway of the {@code index}th card for the family of {@code ip}: the address's
   * own, else its network's default route of that family; the first card's only (a guest has
   * one default route per family).
   */
  static java.util.Optional<String> defaultGateway(int index, IpConfig ip, Attachment attachment) {
    if (index != 0) {
      return java.util.Optional.empty();
    }
    String anywhere = ip.isIpv6() ? "::/0" : "0.0.0.0/0";
    return ip.gatewayIfAny().or(() -> attachment.routes().stream().filter(r -> r.destination().equals(anywhere))
        .map(r -> r.gateway()).filter(gw -> !gw.isEmpty()).findFirst());
  }

  /** The MAC of the VM's {@code index}th card: the one its plugin gave the interface, else the VM's own for it. */
  private static String cardMac(Vm vm, List<Attachment> attachments, int index) {
    String given = index < attachments.size() ? attachments.get(index).guestNic().map(NetInterface::mac).orElse("") : "";
    return given.isEmpty() ? vm.spec().networks().get(index).mac() : given.toLowerCase(java.util.Locale.ROOT);
  }

  private static java.util.Optional<IpConfig> ipv4(NetInterface nic) {
    return nic == null ? java.util.Optional.empty() : nic.ips().stream().filter(ip -> !ip.ip().contains(":")).findFirst();
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
