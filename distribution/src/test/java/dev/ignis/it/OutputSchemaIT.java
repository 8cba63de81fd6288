package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every command's JSON and YAML against the documented schema ({@code docs/output.schema.json}):
 * one shape per thing, keys present with null, lower-case enum values, ports as objects; and
 * labels, which scripts select VMs by.
 */
@Tag("integration")
class OutputSchemaIT extends NetworkedVmTest {

  @Test
  void everyCommandsOutput_followsTheSchema_runningAndStopped() throws Exception {
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "doc", "-p", "127.0.0.1:" + port + ":80", "--label", "app=web", "-l", "tier=front",
        "-l", "example.com/owner=ops");
    ignis.ok("create", "--name", "doc-idle", "--label", "app=db");

    JsonNode ps = OutputSchema.assertJson("vmViewList", ignis.ok("ps", "-o", "json"));
    assertThat(ps).hasSize(1);
    JsonNode view = ps.get(0);
    assertThat(view.path("status").asText()).isEqualTo("running");
    assertThat(view.path("ports").get(0).path("protocol").asText()).isEqualTo("tcp");
    assertThat(view.path("ports").get(0).path("hostPort").asInt()).isEqualTo(port);
    assertThat(view.path("labels").toString()).isEqualTo("{\"app\":\"web\",\"example.com/owner\":\"ops\",\"tier\":\"front\"}");
    assertThat(view.path("image").isNull()).as("no image: null, not absent").isTrue();
    OutputSchema.assertYaml("vmViewList", ignis.ok("ps", "-a", "-o", "yaml"));

    String inspected = ignis.ok("inspect", "doc");
    JsonNode vms = OutputSchema.assertJson("vmList", inspected);
    assertThat(vms).as("an array for one VM too").hasSize(1);
    assertThat(vms.get(0).path("status").asText()).isEqualTo("running");
    assertThat(vms.get(0).path("spec").path("networks").get(0).path("ports").get(0).path("protocol").asText())
        .isEqualTo("tcp");
    assertThat(inspected).as("jq's spacing").contains("\"name\": \"doc\"");
    assertThat(OutputSchema.assertJson("vmList", ignis.ok("inspect", "doc", "doc-idle"))).hasSize(2);
    OutputSchema.assertYaml("vmList", ignis.ok("inspect", "doc", "-o", "yaml"));
    Ignis.Result partly = ignis.run("inspect", "doc", "nosuch");
    assertThat(partly.status()).as("one missing: not found, and the others shown").isEqualTo(101);
    assertThat(OutputSchema.assertJson("vmList", partly.out())).hasSize(1);
    assertThat(partly.err().strip()).isEqualTo("error: no VM named 'nosuch'; see 'runtime ps -a'");
    assertThat(OutputSchema.assertJson("portList", ignis.ok("port", "ls", "doc", "-o", "json")).get(0)
        .path("protocol").asText()).isEqualTo("tcp");

    ignis.ok("stop", "doc");
    JsonNode stopped = OutputSchema.assertJson("vmViewList", ignis.ok("ps", "-a", "-f", "name=doc", "-o", "json"));
    assertThat(stopped).hasSize(2);
    for (JsonNode vm : stopped) {
      assertThat(vm.has("netns") && vm.get("netns").isNull()).as("netns of a stopped VM: null").isTrue();
    }
    JsonNode record = OutputSchema.assertJson("vmList", ignis.ok("inspect", "doc")).get(0);
    assertThat(record.path("guest").isNull()).isTrue();
    assertThat(record.path("status").asText()).isEqualTo("stopped");

    OutputSchema.assertJson("pluginList", ignis.ok("plugins", "-o", "json"));
    OutputSchema.assertJson("version", ignis.ok("version", "-o", "json"));
    OutputSchema.assertJson("kernelList", ignis.ok("kernel", "ls", "-o", "json"));
    OutputSchema.assertJson("imageList", ignis.ok("image", "ls", "-o", "json"));
    OutputSchema.assertJson("bootstrap", ignis.run("bootstrap", "-o", "json").out());
    OutputSchema.assertJson("daemonStatus", ignis.ok("daemon", "status", "-o", "json"));
  }

  @Test
  void labels_selectVms_andBadOnesAreRefusedBeforeAnythingIsMade() {
    ignis.ok("create", "--name", "lab-web", "-l", "app=web", "-l", "tier=front");
    ignis.ok("create", "--name", "lab-db", "-l", "app=db", "-l", "tier=back");
    ignis.ok("create", "--name", "lab-bare");
    assertThat(ignis.ok("ps", "-a", "-f", "label=app", "--format", "{{.name}}").lines())
        .containsExactlyInAnyOrder("lab-web", "lab-db");
    assertThat(ignis.ok("ps", "-a", "-f", "label=app=web", "--format", "{{.name}} {{.labels.tier}}").strip())
        .isEqualTo("lab-web front");
    assertThat(ignis.ok("ps", "-a", "-f", "label=app", "-f", "label=tier=back", "--format", "{{.name}}").strip())
        .as("every label filter must match").isEqualTo("lab-db");
    assertThat(ignis.ok("ps", "-a", "-f", "label=app=cache", "-q")).isEmpty();

    for (String[] bad : new String[][] {{"-l", "bad key=x"}, {"-l", "=x"}, {"-l", "a=1", "-l", "a=2"},
        {"-l", "k=line\nbreak"}}) {
      String[] args = new String[bad.length + 3];
      args[0] = "create";
      args[1] = "--name";
      args[2] = "lab-bad";
      System.arraycopy(bad, 0, args, 3, bad.length);
      Ignis.Result result = ignis.run(args);
      assertThat(result.status()).as(String.join(" ", bad)).isEqualTo(100);
      assertThat(result.err().strip().lines()).as(result.err()).hasSize(1);
      assertThat(result.err()).contains("--label");
    }
    assertThat(ignis.ok("ps", "-a", "--format", "{{.name}}").lines()).doesNotContain("lab-bad");
  }
}
