package org.example.sandboxonly;

import dev.ignis.tck.PluginTck;
import dev.ignis.tck.TckTarget;
import java.nio.file.Path;

/** The plugin passes Ignis' plugin test kit: all it takes is naming the plugin and what it does not do. */
class SandboxOnlyPluginTckIT extends PluginTck {

  @Override
  protected TckTarget target(Path work) {
    return TckTarget.of(SandboxOnlyPlugin::new).withoutPorts();
  }
}
