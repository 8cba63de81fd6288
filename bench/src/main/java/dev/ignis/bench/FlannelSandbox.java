package dev.ignis.bench;

import dev.ignis.plugin.flannel.FlannelPlugin;
import dev.ignis.runtime.exec.ProcessCommandRunner;
import dev.ignis.spi.AttachRequest;
import dev.ignis.spi.Attachment;
import dev.ignis.spi.DetachReason;
import dev.ignis.spi.VmRef;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Attaches or detaches a plain sandbox netns through the flannel plugin, as the runtime does
 * for a VM, for bench/flannel.sh (which runs it inside a node's netns). Settings come from
 * {@code IGNIS_PLUGIN_FLANNEL_*} and the state dir from {@code IGNIS_STATE_DIR}, as for the
 * runtime. Usage: {@code attach|detach NETNS VM_ID}; attach prints the sandbox's address.
 */
public final class FlannelSandbox {

  public static void main(String[] args) {
    Map<String, String> settings = new HashMap<>();
    System.getenv().forEach((name, value) -> {
      if (name.startsWith("IGNIS_PLUGIN_FLANNEL_")) {
        settings.put(name.substring(21).toLowerCase(Locale.ROOT).replace('_', '-'), value);
      }
    });
    FlannelPlugin plugin = new FlannelPlugin();
    plugin.init(new BenchContext(Path.of(System.getenv("IGNIS_STATE_DIR"), "plugins", "flannel"), settings,
        new ProcessCommandRunner()));
    VmRef vm = new VmRef(args[2], "bench");
    AttachRequest request = AttachRequest.builder(vm).netnsPath("/run/netns/" + args[1]).build();
    if (args[0].equals("attach")) {
      System.out.println(plugin.attach(request).ips().get(0).ip());
    } else {
      plugin.detach(Attachment.builder("flannel", vm).netnsPath("/run/netns/" + args[1]).build(), DetachReason.REMOVE);
    }
  }
}
