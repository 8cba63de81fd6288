package dev.ignis.it;

import dev.ignis.plugin.cni.CniPlugin;
import dev.ignis.tck.PluginTck;
import dev.ignis.tck.TckTarget;
import java.nio.file.Path;
import java.util.Map;

/**
 * The cni plugin passes the plugin test kit, on a network shaped like the default one (bridge,
 * portmap, firewall) plus a last plugin that passes results through (tuning) unless asked to
 * fail through {@code --net-opt TCK_FAIL=1}: an attach that fails after the others changed the host.
 */
class CniPluginTckIT extends PluginTck {

  private TestNetwork network;

  @Override
  protected void tearDownTarget() throws Exception {
    if (network != null) {
      network.close();
    }
  }

  @Override
  protected TckTarget target(Path work) throws Exception {
    network = new TestNetwork(work);
    String conflist = network.defaultShapedConflist();
    network.write(conflist.replace("{\"type\":\"firewall\"}]}", "{\"type\":\"firewall\"},{\"type\":\"tckfail\"}]}"));
    network.plugin("tckfail", """
        if [ "$CNI_COMMAND" = ADD ]; then
          case "$CNI_ARGS" in *TCK_FAIL=1*)
            echo '{"cniVersion":"0.4.0","code":11,"msg":"failing on purpose"}'; exit 1;;
          esac
        fi
        exec /usr/lib/cni/tuning""");
    return TckTarget.of(CniPlugin::new).keepingAddresses()
        .withSetting("conf-dir", network.confDir.toString())
        .withSetting("cache-dir", network.cacheDir.toString())
        .withSetting("bin-path", network.binDir + ":/usr/lib/cni")
        .withSetting("timeout", "20")
        .observingDir(network.cacheDir).observingDir(network.ipamDir)
        .failingAttachBy(request -> request.toBuilder().options(Map.of("TCK_FAIL", "1")).build());
  }
}
