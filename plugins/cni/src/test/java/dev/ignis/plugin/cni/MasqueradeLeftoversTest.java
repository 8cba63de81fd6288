package dev.ignis.plugin.cni;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MasqueradeLeftoversTest {

  private static final String OURS = "-m comment --comment \"name: \\\"net1\\\" id: \\\"0123456789abcdef\\\"\"";
  private static final String OTHER = "-m comment --comment \"name: \\\"net1\\\" id: \\\"fedcba9876543210\\\"\"";

  @Test
  void removesTheJumpAndTheChain_whenTheChainHoldsOnlyOurRules() {
    List<String> nat = List.of("*nat", ":POSTROUTING ACCEPT [0:0]", ":CNI-aaa - [0:0]", ":CNI-bbb - [0:0]",
        "-A POSTROUTING -s 10.61.0.5/32 " + OURS + " -j CNI-aaa",
        "-A POSTROUTING -s 10.61.0.6/32 " + OTHER + " -j CNI-bbb",
        "-A CNI-aaa -d 10.61.0.0/16 " + OURS + " -j ACCEPT",
        "-A CNI-aaa ! -d 224.0.0.0/4 " + OURS + " -j MASQUERADE",
        "-A CNI-bbb ! -d 224.0.0.0/4 " + OTHER + " -j MASQUERADE",
        "COMMIT");
    assertThat(MasqueradeLeftovers.restoreInput(nat, "net1", "0123456789abcdef")).isEqualTo("""
        *nat
        -D POSTROUTING -s 10.61.0.5/32 %s -j CNI-aaa
        -F CNI-aaa
        -X CNI-aaa
        COMMIT
        """.formatted(OURS));
  }

  @Test
  void keepsAChainThatHoldsSomeoneElsesRule_andLeavesOthersAlone() {
    List<String> nat = List.of("-A POSTROUTING -s 10.61.0.5/32 " + OURS + " -j CNI-aaa",
        "-A CNI-aaa " + OTHER + " -j MASQUERADE",
        "-A CNI-DN-x -p tcp -m comment --comment \"dnat name: \\\"net1\\\" id: \\\"0123456789abcdef\\\"\" -j DNAT");
    assertThat(MasqueradeLeftovers.restoreInput(nat, "net1", "0123456789abcdef"))
        .contains("-D POSTROUTING -s 10.61.0.5/32").doesNotContain("-X CNI-aaa").doesNotContain("CNI-DN-x");
    assertThat(MasqueradeLeftovers.restoreInput(nat, "net2", "0123456789abcdef")).isEmpty();
  }
}
