package dev.ignis.it;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** What every flannel integration test starts from: nodes on an underlay of their own, and a random /16 to use. */
abstract class FlannelNodesTest {

  @TempDir Path work;
  TestNodes nodes;
  String network;
  String prefix; // "10.x."

  @BeforeEach
  void makeNodes() throws Exception {
    nodes = new TestNodes(work);
    network = TestNodes.network();
    prefix = network.substring(0, network.indexOf(".0.0/"));
  }

  @AfterEach
  void removeNodes() throws Exception {
    nodes.close();
  }
}
