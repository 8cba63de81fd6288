package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that boot VMs on a CNI network of their own: the runtime with every
 * plugin installed, pointed at a {@link TestNetwork} shaped like the default network; after
 * each test every VM is removed and nothing may be left (leases, cache entries, veths, rules,
 * processes).
 */
abstract class NetworkedVmTest {

  @TempDir Path work;
  TestNetwork net;
  Ignis ignis;

  @BeforeEach
  void setUpNetwork() throws Exception {
    net = new TestNetwork(work);
    net.write(net.defaultShapedConflist());
    ignis = net.configure(new Ignis(work).withAllPlugins());
  }

  /** The VM's first address, without prefix. */
  String ipOf(String vm) {
    String yaml = ignis.ok("inspect", vm, "-o", "yaml");
    int at = yaml.indexOf("address: \"") + 10;
    return yaml.substring(at, yaml.indexOf('/', at));
  }

  String macOf(String vm) {
    return ignis.ok("inspect", vm, "-o", "yaml").lines().filter(l -> l.strip().startsWith("mac: \"") && l.length() > 12)
        .findFirst().orElseThrow().strip();
  }

  /** The VM's id. */
  String idOf(String vm) {
    String json = ignis.ok("inspect", vm, "-o", "json");
    int at = json.indexOf("\"id\": \"") + 7;
    return json.substring(at, at + 16);
  }

  /** The name of the VM's sandbox netns. */
  String netnsOf(String vm) {
    return "ignis-" + idOf(vm);
  }

  @AfterEach
  void tearDownNetwork() throws Exception {
    try {
      ignis.cleanUp();
      net.assertNoResidue();
      assertThat(Ignis.sh("ps", "-eo", "args")).as("processes of this test").doesNotContain(work.toString());
    } finally {
      net.close();
    }
  }
}
