package dev.ignis.it;

import dev.ignis.plugin.flannel.FlannelPlugin;
import dev.ignis.tck.PluginTck;
import dev.ignis.tck.TckTarget;
import java.nio.file.Path;

/**
 * The flannel plugin passes the plugin test kit on one node: a namespace of its own on an
 * underlay ({@link TestNodes}), where 'bootstrap init' runs etcd, takes the node's lease and
 * starts its agent; the plugin under test then runs its host commands on that node.
 */
class FlannelPluginTckIT extends PluginTck {

  private TestNodes nodes;

  @Override
  protected TckTarget target(Path work) throws Exception {
    nodes = new TestNodes(work);
    TestNodes.Node node = nodes.add();
    node.ok("--network-plugin", "flannel", "bootstrap", "init", "--network", TestNodes.network());
    TckTarget target = TckTarget.of(FlannelPlugin::new).onNode("/run/netns/" + node.netns).alreadyBootstrapped()
        .keepingAddresses().observingDir(node.dir.resolve("cni-cache")).observingDir(node.dir.resolve("ipam"));
    for (var setting : node.environment().entrySet()) {
      String prefix = "IGNIS_PLUGIN_FLANNEL_";
      if (setting.getKey().startsWith(prefix)) {
        target = target.withSetting(setting.getKey().substring(prefix.length()).toLowerCase().replace('_', '-'),
            setting.getValue());
      }
    }
    return target;
  }

  @Override
  protected void tearDownTarget() throws Exception {
    if (nodes != null) {
      nodes.close();
    }
  }
}
