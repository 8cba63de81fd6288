package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SubnetsTest {

  @Test
  void ipv4Networks_parseCompareAndSplit() {
    Ipv4Net net = Ipv4Net.parse("10.50.7.9/16");
    assertThat(net).hasToString("10.50.0.0/16");
    assertThat(net.subnetCount(24)).isEqualTo(256);
    assertThat(net.subnet(24, 3)).hasToString("10.50.3.0/24");
    assertThat(net.subnet(24, 3).keyForm()).isEqualTo("10.50.3.0-24");
    assertThat(net.contains(Ipv4Net.address("10.50.255.1"))).isTrue();
    assertThat(net.overlaps(Ipv4Net.parse("10.0.0.0/8"))).isTrue();
    assertThat(net.overlaps(Ipv4Net.parse("10.51.0.0/16"))).isFalse();
    assertThatThrownBy(() -> Ipv4Net.parse("10.50.0.0")).hasMessageContaining("is not an IPv4 network");
    assertThatThrownBy(() -> Ipv4Net.parse("10.300.0.0/16")).hasMessageContaining("is not an IPv4 network");
  }

  @Test
  void config_getsFlanneldsDefaults_andRefusesWhatCannotWork() {
    FlannelConfig config = new FlannelConfig("10.50.0.0/16", null, null, null, null).normalised();
    assertThat(config.subnetLen()).isEqualTo(24);
    assertThat(config.subnetMin()).isEqualTo("10.50.1.0");
    assertThat(config.subnetMax()).isEqualTo("10.50.255.0");
    assertThat(config.backend().type()).as("flanneld's default backend").isEqualTo("udp");
    assertThat(config.backend().portOrDefault()).isEqualTo(8285);
    assertThat(new FlannelConfig.Backend("vxlan", null, 0).portOrDefault()).isEqualTo(8472);
    assertThat(config.json()).isEqualTo("{\"Network\":\"10.50.0.0/16\",\"SubnetLen\":24,\"SubnetMin\":"
        + "\"10.50.1.0\",\"SubnetMax\":\"10.50.255.0\",\"Backend\":{\"Type\":\"udp\"}}");
    assertThat(new FlannelConfig("10.50.0.0/22", null, null, null, null).normalised().subnetLen()).isEqualTo(24);
    assertThat(new FlannelConfig("10.50.0.0/25", null, null, null, null).normalised().subnetLen()).isEqualTo(27);
    assertThat(new FlannelConfig("10.50.0.0/28", null, null, null, null).normalised().subnetLen()).isEqualTo(30);
    assertThat(new FlannelConfig("10.50.0.0/16", 18, null, null, null).normalised().subnetMax()).isEqualTo("10.50.192.0");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/29", null, null, null, null).normalised())
        .hasMessage("network 10.50.0.0/29 is too small: flannel needs a /28 or wider");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 17, null, null, null).normalised())
        .hasMessage("network 10.50.0.0/16 must hold at least four subnets of /17; use SubnetLen /18 or longer");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 31, null, null, null).normalised())
        .hasMessage("SubnetLen 31 is too long: it must be at most /30");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 24, "10.60.0.0", null, null).normalised())
        .hasMessage("SubnetMin 10.60.0.0 is outside network 10.50.0.0/16");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 24, "10.50.1.128", null, null).normalised())
        .hasMessage("SubnetMin 10.50.1.128 is not on a /24 subnet boundary");
    assertThatThrownBy(() -> new FlannelConfig(null, 24, null, null, null).normalised())
        .hasMessageContaining("has no Network");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 24, null, null,
        new FlannelConfig.Backend("gre", null, null)).normalised())
        .hasMessage("backend type 'gre' is not one of vxlan, host-gw, udp");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", 24, null, null,
        new FlannelConfig.Backend(null, null, null)).normalised())
        .hasMessage("backend type 'null' is not one of vxlan, host-gw, udp");
    assertThatThrownBy(() -> new FlannelConfig("10.50.0.0/16", null, null, null, null, null, true, "fd00::/48")
        .normalised()).hasMessageContaining("enables IPv6");
  }

  @Test
  void config_writtenByAnotherTool_isReadAsFlanneldReadsIt() throws Exception {
    FlannelConfig read = FlannelConfig.fromJson(Json.object("{\"Network\":\"10.60.0.0/16\"}"))
        .normalised();
    assertThat(read.backend().type()).isEqualTo("udp");
    assertThat(read.subnetLen()).isEqualTo(24);
  }

  @Test
  void subnetChoice_skipsLeasedSubnets_andFindsANodesPreviousOne() {
    FlannelConfig config = new FlannelConfig("10.50.0.0/16", 24, "10.50.1.0", "10.50.4.0", null).normalised();
    Map<Ipv4Net, SubnetLease.Attrs> leases = new LinkedHashMap<>();
    leases.put(Ipv4Net.parse("10.50.2.0/24"), new SubnetLease.Attrs("192.168.1.2", "vxlan", Map.of()));
    SubnetChoice choice = new SubnetChoice(config, leases);
    assertThat(choice.free()).extracting(Ipv4Net::toString).containsExactly("10.50.1.0/24", "10.50.3.0/24",
        "10.50.4.0/24");
    assertThat(choice.previousOf("192.168.1.2")).hasValue(Ipv4Net.parse("10.50.2.0/24"));
    assertThat(choice.previousOf("192.168.1.3")).isEmpty();
  }

  @Test
  void leaseKeys_followFlanneld() {
    SubnetLease lease = new SubnetLease(Ipv4Net.parse("10.50.3.0/24"),
        new SubnetLease.Attrs("192.168.1.1", "vxlan", Map.of("VNI", 1, "VtepMAC", "aa:bb:cc:dd:ee:ff")));
    assertThat(lease.key()).isEqualTo("/coreos.com/network/subnets/10.50.3.0-24");
    assertThat(lease.attrs().vtepMac()).isEqualTo("aa:bb:cc:dd:ee:ff");
    assertThat(lease.attrs().json())
        .startsWith("{\"PublicIP\":\"192.168.1.1\",\"BackendType\":\"vxlan\",\"BackendData\":{")
        .contains("\"VtepMAC\":\"aa:bb:cc:dd:ee:ff\"").contains("\"VNI\":1");
    assertThat(SubnetLease.subnetOfKey("/coreos.com/network/subnets/10.50.3.0-24")).hasToString("10.50.3.0/24");
    assertThat(SubnetLease.subnetOfKey("/coreos.com/network/subnets/garbage")).isNull();
    assertThat(SubnetLease.subnetOfKey("/coreos.com/network/config")).isNull();
  }
}
