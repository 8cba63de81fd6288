package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the flannel tests read off a node, and what a node must not keep after cleanup. */
final class FlannelChecks {

  private FlannelChecks() {}

  static String subnetOf(TestNodes.Node node) throws Exception {
    Matcher matcher = Pattern.compile("\"subnet\" : \"([0-9./]+)\"")
        .matcher(Files.readString(node.dir.resolve("state/plugins/flannel/node.json")));
    assertThat(matcher.find()).as("subnet in node.json of " + node.netns).isTrue();
    return matcher.group(1);
  }

  static String ipOf(TestNodes.Node node, String vm) throws Exception {
    Matcher matcher = Pattern.compile("\"address\": \"([0-9.]+)/").matcher(node.ok("inspect", vm));
    assertThat(matcher.find()).isTrue();
    return matcher.group(1);
  }

  static void assertNothingLeft(TestNodes.Node node) throws Exception {
    assertThat(node.sh("ip", "-o", "link", "show")).as("links on " + node.netns).doesNotContain("flannel")
        .doesNotContain("ignis-flannel0");
    assertThat(node.sh("ip", "route", "show", "proto", "73")).as("flannel routes").isBlank();
    assertThat(node.sh("iptables-save")).as("iptables of " + node.netns).doesNotContain("IGNIS-FLANNEL")
        .doesNotContain("CNI-");
    assertThat(node.dir.resolve("subnet.env")).doesNotExist();
    assertThat(node.dir.resolve("net.d/10-ignis-flannel.conflist")).doesNotExist();
    assertThat(node.dir.resolve("state/plugins/flannel/node.json")).doesNotExist();
    assertThat(Ignis.sh("ps", "-eo", "args")).as("etcd or agent of " + node.netns).doesNotContain(node.dir.toString());
  }
}
