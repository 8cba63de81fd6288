package org.example.vethports;

import dev.ignis.tck.PluginTck;
import dev.ignis.tck.TckTarget;
import java.nio.file.Path;
import java.security.SecureRandom;

/** The plugin passes Ignis' plugin test kit, on a pool of its own; it gives a stopped VM its address back. */
class VethPortsPluginTckIT extends PluginTck {

  @Override
  protected TckTarget target(Path work) {
    String pool = "10.214." + new SecureRandom().nextInt(256) + ".0/24";
    return TckTarget.of(VethPortsPlugin::new).withSetting("pool", pool).keepingAddresses();
  }
}
