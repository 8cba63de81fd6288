package dev.ignis.runtime.image.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerLaunchTest {

  @TempDir
  Path dir;

  @Test
  void theEnvFile_givesAShellExactlyTheImagesCommandEnvironmentAndDirectory() throws Exception {
    var config = new ObjectMapper().readTree("""
        {"config":{"Entrypoint":["/bin/echo","it's"],"Cmd":["a $HOME `x` \\"q\\""],
         "Env":["GREETING=hi there","EMPTY=","1BAD=x"],"WorkingDir":"/srv"}}""");
    String env = ContainerLaunch.envFile("test", config, "/sbin/init"); // a command given: the command runs
    Path file = Files.writeString(dir.resolve("vm.env"), env);
    // What the guest's init does with it, by a real shell.
    Process shell = new ProcessBuilder("sh", "-c", ". " + file + "; printf '%s|' \"$IGNIS_WORKDIR\" \"$GREETING\" \"$PATH\""
        + " \"$@\"").redirectErrorStream(true).start();
    String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(shell.waitFor()).isZero();
    assertThat(out).isEqualTo("/srv|hi there|" + ContainerLaunch.DEFAULT_PATH + "|/bin/echo|it's|a $HOME `x` \"q\"|");
    assertThat(env).doesNotContain("1BAD");
  }

  @Test
  void anImageWithoutCommand_bootsItsOwnInit_orIsRefusedWithoutOne() throws Exception {
    var config = new ObjectMapper().readTree("{\"config\":{\"Env\":[\"A=b\"]}}");
    assertThat(ContainerLaunch.envFile("debian:12", config, "/sbin/init")).contains("IGNIS_INIT='/sbin/init'")
        .doesNotContain("set --");
    var systemd = new ObjectMapper().readTree("{\"config\":{\"Cmd\":[\"/lib/systemd/systemd\"]}}");
    assertThat(ContainerLaunch.envFile("debian:12", systemd, "")).contains("IGNIS_INIT='/lib/systemd/systemd'");
    assertThatThrownBy(() -> ContainerLaunch.envFile("debian:12", config, ""))
        .hasMessage("image debian:12 names no command (no Entrypoint or Cmd in its configuration) and has no"
            + " /sbin/init; Ignis runs a container image's command, or an image's own init");
  }

  @Test
  void theLaunchCpio_isWhatCpioReads() throws Exception {
    byte[] archive = new dev.ignis.runtime.image.NewcCpio().file("ignis/vm.env", "A=1\n".getBytes(StandardCharsets.UTF_8), 0644).bytes();
    Path file = Files.write(dir.resolve("launch.cpio"), archive);
    Path out = Files.createDirectories(dir.resolve("out"));
    Process cpio = new ProcessBuilder("sh", "-c", "busybox cpio -i -d < " + file).directory(out.toFile())
        .redirectErrorStream(true).start();
    String log = new String(cpio.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(cpio.waitFor()).as(log).isZero();
    assertThat(out.resolve("ignis/vm.env")).hasContent("A=1");
  }
}
