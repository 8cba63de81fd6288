package dev.ignis.runtime.guest;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.name.Named;
import dev.ignis.runtime.RuntimeModule;
import dev.ignis.runtime.config.Settings;
import dev.ignis.runtime.hypervisor.AccelProbe;
import dev.ignis.runtime.hypervisor.Hypervisor;
import dev.ignis.runtime.hypervisor.QemuDriver;
import dev.ignis.runtime.image.ImageStore;
import dev.ignis.spi.CommandRunner;
import java.io.PrintStream;

/**
 * Wires what a guest runs on: the hypervisor (QEMU), the accelerator probe, the image store,
 * and the link and DHCP server between the plugin's interface and the guest.
 */
public final class GuestModule extends AbstractModule {

  @Override
  protected void configure() {
    bind(Hypervisor.class).to(QemuDriver.class).in(Singleton.class);
    bind(GuestLink.class).in(Singleton.class);
    bind(GuestDhcp.class).in(Singleton.class);
  }

  @Provides
  @Singleton
  ImageStore images(Settings settings, CommandRunner commands, @Named(RuntimeModule.USER_ERR) PrintStream err,
      dev.ignis.runtime.image.kernel.Kernels kernels) {
    return new ImageStore(settings.imagesDir(), settings.installDir(), commands, err, kernels);
  }

  @Provides
  @Singleton
  AccelProbe accelProbe(Hypervisor hypervisor, Settings settings) {
    return new AccelProbe(hypervisor, settings.imagesDir().resolve("accel-probe"));
  }
}
