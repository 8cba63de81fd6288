package dev.ignis.runtime.vm;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.guest.GuestDhcp;
import dev.ignis.runtime.guest.GuestLink;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.hypervisor.Hypervisor;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.spi.CommandRunner;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.time.Duration;

/**
 * Wires the VMs: their store, the host-port guard, the guest side of a VM, and (by their
 * constructors) the lifecycle and the garbage collector.
 */
public final class VmModule extends AbstractModule {

  @Override
  protected void configure() {
    bind(VmLifecycle.class).in(Singleton.class);
    bind(VmGarbageCollector.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  VmStore store(Settings settings) {
    return new VmStore(settings.vmsDir());
  }

  @Provides
  @Singleton
  HostPorts hostPorts(CommandRunner commands, Settings settings) {
    return new HostPorts(commands, settings.stateDir());
  }

  @Provides
  @Singleton
  VmGuest guest(Hypervisor hypervisor, ImageStore images, AccelProbe accel, GuestLink link, GuestDhcp dhcp,
      Settings settings, dev.ignis.runtime.image.oci.OciImages ociImages, dev.ignis.spi.CommandRunner commands) {
    return new VmGuest(hypervisor, images, accel, link, dhcp, settings.vmsDir(), bootTimeout(settings),
        earlyStart(settings), new dev.ignis.runtime.guest.HostResolvers(),
        new dev.ignis.runtime.image.oci.ImageBoot(ociImages, commands));
  }

  /**
   * Whether guests of the default image start while their network is attached: {@code
   * boot.early} ({@code IGNIS_BOOT_EARLY}), {@code true} by default.
   */
  private static boolean earlyStart(Settings settings) {
    String value = settings.environment().getOrDefault("IGNIS_BOOT_EARLY",
        settings.properties().getOrDefault("boot.early", "true"));
    if (!value.equals("true") && !value.equals("false")) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "setting boot.early (IGNIS_BOOT_EARLY) is '" + value
          + "'; use true or false");
    }
    return Boolean.parseBoolean(value);
  }

  /** How long a guest may take to become ready: {@code boot.timeout} seconds, 120 by default (TCG is slow). */
  private static Duration bootTimeout(Settings settings) {
    String value = settings.environment().getOrDefault("IGNIS_BOOT_TIMEOUT",
        settings.properties().getOrDefault("boot.timeout", "120"));
    if (!value.matches("\\d{1,4}") || Long.parseLong(value) == 0) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "setting boot.timeout (IGNIS_BOOT_TIMEOUT) is '" + value
          + "'; use a number of seconds from 1 to 9999");
    }
    return Duration.ofSeconds(Long.parseLong(value));
  }
}
