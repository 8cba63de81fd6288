package dev.ignis.it;

import dev.ignis.plugin.dockerbridge.DockerBridgePlugin;
import dev.ignis.spi.PortMapping;
import dev.ignis.tck.PluginTck;
import dev.ignis.tck.TckTarget;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The docker-bridge plugin passes the plugin test kit against a dockerd of the test's own; an
 * attach fails half-way when Docker cannot bind a published port (another program holds it).
 */
class DockerBridgePluginTckIT extends PluginTck {

  private TestDocker docker;
  private final List<Process> listeners = new ArrayList<>();

  @Override
  protected TckTarget target(Path work) throws Exception {
    docker = TestDocker.start(work.resolve("dockerd"));
    return TckTarget.of(DockerBridgePlugin::new)
        .withSetting("host", docker.host())
        .withSetting("deprecation-notice", "false")
        .observingNetns("/run/netns/" + docker.netns)
        .failingAttachBy(request -> {
          try {
            int port = TestNetwork.freePort();
            listeners.add(docker.listen(port));
            return request.toBuilder().ports(List.of(PortMapping.tcp(port, 80))).build();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Override
  protected void tearDownTarget() throws Exception {
    listeners.forEach(Process::destroyForcibly);
    if (docker != null) {
      docker.close();
    }
  }
}
