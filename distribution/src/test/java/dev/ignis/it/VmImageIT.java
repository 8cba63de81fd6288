package dev.ignis.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * VMs of imported images, booted on the cni network of the test's own: a plain container
 * image (busybox httpd, no init of its own) serves its page through -p with its configuration's
 * environment and working directory, VMs of one image keep their writes apart and across
 * stop/start, and an image in use cannot be removed.
 */
@Tag("integration")
class VmImageIT extends NetworkedVmTest {

  @Test
  void aContainerImage_servesThroughItsPort_andVmsOfItKeepTheirWritesApart() throws Exception {
    Path layout = TestImages.busyboxWeb(work.resolve("web-layout"));
    String id = ignis.ok("image", "import", layout.toString()).strip();
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "a", "-p", "127.0.0.1:" + port + ":80", "ignis-it/web:1");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).isEqualTo("image page");
    String env = TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/env");
    assertThat(env).as(env).contains("pwd=/data hostname=a greeting=hello from the image config")
        .contains("nameserver");
    assertThat(ignis.ok("logs", "a")).contains("IGNIS-READY a " + ipOf("a"));

    ignis.ok("run", "--name", "b", "ignis-it/web:1");
    String b = ipOf("b");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/write?from-a")).contains("written");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/read")).isEqualTo("from-a");
    assertThat(TestNetwork.fetch(b, 80, "/cgi-bin/read")).as("b's disk is its own").contains("No such file");

    ignis.ok("stop", "a");
    ignis.ok("start", "a");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/read")).as("a's write outlives a stop").isEqualTo("from-a");

    Ignis.Result inUse = ignis.run("image", "rm", "ignis-it/web:1");
    assertThat(inUse.status()).isEqualTo(102);
    assertThat(inUse.err().strip()).isEqualTo("error: image ignis-it/web:1 is used by VM a, b; remove them first");
    Path disk = ignis.state.resolve("vms").resolve(idOf("a")).resolve("disk.qcow2");
    assertThat(disk).exists();
    ignis.ok("rm", "-f", "a", "b");
    assertThat(disk).doesNotExist();
    ignis.ok("image", "rm", id);
  }

  @Test
  void anImageWithItsOwnInit_bootsSystemd_takesItsAddressByDhcp_servesSsh_andStopsCleanly() throws Exception {
    Path archive = TestImages.debianWithSystemd(work.resolve("debian"));
    long importStart = System.nanoTime();
    ignis.ok("image", "import", archive.toString());
    System.out.printf("measured: importing the Debian image with systemd and sshd took %d ms%n",
        (System.nanoTime() - importStart) / 1_000_000);
    assertThat(ignis.ok("image", "inspect", "ignis-it/debian:12")).contains("\"init\": \"/sbin/init\"");
    long start = System.nanoTime();
    ignis.ok("run", "--name", "deb", "--ssh", "ignis-it/debian:12");
    System.out.printf("measured: run of the Debian image until ready (systemd up, address by DHCP) %d ms%n",
        (System.nanoTime() - start) / 1_000_000);
    String ip = ipOf("deb");
    assertThat(ignis.ok("logs", "deb")).contains("IGNIS-READY deb " + ip);
    assertThat(sshBanner(ip)).startsWith("SSH-2.0-OpenSSH");
    // exec, ssh and cp with the VM's own key pair (0600 in its directory).
    Path key = ignis.state.resolve("vms").resolve(idOf("deb")).resolve("ssh/id_ed25519");
    assertThat(java.nio.file.Files.getPosixFilePermissions(key))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    assertThat(ignis.ok("exec", "deb", "--", "cat", "/etc/hostname").strip()).isEqualTo("deb");
    // Its host key is its own, installed as its only one, and ssh checked it strictly.
    Path sshDir = key.getParent();
    assertThat(Files.readString(sshDir.resolve("known_hosts")))
        .isEqualTo(ip + " " + Files.readString(sshDir.resolve("ssh_host_ed25519_key.pub")).strip() + "\n");
    assertThat(ignis.ok("exec", "deb", "--", "sh", "-c", "ls /etc/ssh/ | grep host_").strip())
        .isEqualTo("ssh_host_ed25519_key\nssh_host_ed25519_key.pub");
    Ignis.Result failing = ignis.run("exec", "deb", "--", "sh", "-c", "echo to-err >&2; exit 7");
    assertThat(failing.status()).as("the command's exit status").isEqualTo(7);
    assertThat(failing.err()).contains("to-err");
    assertThat(ignis.ok("exec", "deb", "--", "echo", "a 'quoted' $word").strip()).isEqualTo("a 'quoted' $word");
    assertThat(ignis.ok("ssh", "deb", "uname", "-n").strip()).isEqualTo("deb");
    Path sent = java.nio.file.Files.writeString(work.resolve("sent.txt"), "from the host\n");
    ignis.ok("cp", sent.toString(), "deb:/root/sent.txt");
    ignis.ok("cp", "deb:/root/sent.txt", work.resolve("back.txt").toString());
    assertThat(work.resolve("back.txt")).hasContent("from the host");
    long stop = System.nanoTime();
    ignis.ok("stop", "deb");
    long stopMillis = (System.nanoTime() - stop) / 1_000_000;
    System.out.printf("measured: stop of the Debian VM (systemctl poweroff on the power button) %d ms%n", stopMillis);
    assertThat(ignis.ok("logs", "deb")).as("systemd shut down").containsPattern("(reboot|[Pp]ower(ing)? ?[Oo]ff)");
    ignis.ok("start", "deb");
    assertThat(sshBanner(ipOf("deb"))).startsWith("SSH-2.0-OpenSSH");
    ignis.ok("rm", "-f", "deb");
  }

  /** The first line sshd sends on port 22. */
  private static String sshBanner(String ip) throws Exception {
    for (int attempt = 0; ; attempt++) {
      try (java.net.Socket socket = new java.net.Socket()) {
        socket.connect(new java.net.InetSocketAddress(ip, 22), 2000);
        socket.setSoTimeout(5000);
        return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream())).readLine();
      } catch (java.io.IOException e) {
        if (attempt == 50) {
          return e.toString();
        }
        Thread.sleep(200);
      }
    }
  }

  @Test
  void anImagesUser_runsItsCommand_withTheUsersHome() throws Exception {
    ignis.ok("image", "import", "--name", "ignis-it/web-user:1",
        TestImages.busyboxWeb(work.resolve("user-layout"), "web").toString());
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "u", "-p", "127.0.0.1:" + port + ":8080", "ignis-it/web-user:1");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/env")).contains("uid=1000 home=/home/web");
    assertThat(ignis.ok("logs", "u")).doesNotContain("ignis: ");
  }

  @Test
  void aDiskGivenASize_isTheImageGrown_andBootsAndKeepsWrites() throws Exception {
    ignis.ok("image", "import", TestImages.busyboxWeb(work.resolve("web-layout")).toString());
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "big", "--size", "1G", "-p", "127.0.0.1:" + port + ":80", "ignis-it/web:1");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).isEqualTo("image page");
    Path vmDir = ignis.state.resolve("vms").resolve(idOf("big"));
    assertThat(vmDir.resolve("disk.qcow2")).doesNotExist();
    String superblock = Ignis.sh("dumpe2fs", "-h", vmDir.resolve("disk.raw").toString());
    long blocks = Long.parseLong(superblock.replaceAll("(?s).*Block count:\\s+(\\d+).*", "$1"));
    long blockSize = Long.parseLong(superblock.replaceAll("(?s).*Block size:\\s+(\\d+).*", "$1"));
    assertThat(blocks * blockSize).as("the file system fills the disk").isEqualTo(1L << 30);
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/write?on-big")).contains("written");
    ignis.ok("stop", "big");
    ignis.ok("start", "big");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/read")).isEqualTo("on-big");
  }

  @Test
  void copiedFiles_reachTheInitramfsAtEveryBoot_andAnImagesDiskOnce() throws Exception {
    Path page = Files.writeString(work.resolve("page.html"), "my own page\n");
    Path tree = Files.createDirectories(work.resolve("tree/sub"));
    Files.writeString(tree.resolve("a.txt"), "file a\n");
    Files.writeString(work.resolve("tree/b.txt"), "file b\n");
    int port = TestNetwork.freePort();
    ignis.ok("run", "--name", "plain", "-p", "127.0.0.1:" + port + ":80", "--copy-files", page + ":/www/index.html",
        "--copy-files", work.resolve("tree") + ":/www/tree");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).isEqualTo("my own page");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/tree/sub/a.txt")).isEqualTo("file a");
    assertThat(TestNetwork.fetch("127.0.0.1", port, "/cgi-bin/mac")).as("the rest of /www stays").contains(":");
    Files.writeString(page, "changed on the host\n");
    ignis.ok("stop", "plain");
    ignis.ok("start", "plain");
    assertThat(TestNetwork.fetch("127.0.0.1", port)).as("copied at create, again at every boot").isEqualTo("my own page");

    ignis.ok("image", "import", TestImages.busyboxWeb(work.resolve("web-layout")).toString());
    Path note = Files.writeString(work.resolve("note"), "copied note\n");
    int imagePort = TestNetwork.freePort();
    ignis.ok("run", "--name", "img", "-p", "127.0.0.1:" + imagePort + ":80", "--copy-files", note + ":/data/note",
        "--copy-files", work.resolve("tree") + ":/var/www/tree", "ignis-it/web:1");
    assertThat(TestNetwork.fetch("127.0.0.1", imagePort, "/cgi-bin/read")).isEqualTo("copied note");
    assertThat(TestNetwork.fetch("127.0.0.1", imagePort, "/tree/b.txt")).isEqualTo("file b");
    assertThat(TestNetwork.fetch("127.0.0.1", imagePort, "/cgi-bin/write?changed-in-vm")).contains("written");
    ignis.ok("stop", "img");
    ignis.ok("start", "img");
    assertThat(TestNetwork.fetch("127.0.0.1", imagePort, "/cgi-bin/read")).as("copied into the disk once")
        .isEqualTo("changed-in-vm");

    Ignis.Result missing = ignis.run("create", "--name", "x", "--copy-files", work.resolve("nosuch") + ":/x");
    assertThat(missing.status()).isEqualTo(100);
    assertThat(missing.err().strip()).isEqualTo("error: --copy-files: " + work.resolve("nosuch") + " does not exist");
    Ignis.Result relative = ignis.run("create", "--name", "x", "--copy-files", page + ":etc/x");
    assertThat(relative.status()).isEqualTo(100);
    assertThat(relative.err()).contains("is not HOST:GUEST with GUEST an absolute path");
    assertThat(ignis.ok("ps", "-a")).doesNotContain(" x ");
  }

  @Test
  void sshOnAnImageWithoutServer_orOnTheDefaultImage_isRefusedInOneLine() throws Exception {
    ignis.ok("image", "import", TestImages.busyboxWeb(work.resolve("web-layout")).toString());
    Ignis.Result noServer = ignis.run("create", "--name", "x", "--ssh", "ignis-it/web:1");
    assertThat(noServer.status()).isEqualTo(100);
    assertThat(noServer.err().strip()).isEqualTo("error: image ignis-it/web:1 has no SSH server (/usr/sbin/sshd); --ssh"
        + " needs an image with one");
    Ignis.Result noImage = ignis.run("create", "--name", "x", "--ssh");
    assertThat(noImage.err().strip()).isEqualTo("error: --ssh needs an IMAGE with an SSH server; the default image has"
        + " none");
    ignis.ok("create", "--name", "plain", "ignis-it/web:1");
    Ignis.Result notMade = ignis.run("exec", "plain", "--", "true");
    assertThat(notMade.err().strip()).startsWith("error: VM 'plain' was made without --ssh");
  }

  @Test
  void aMissingImage_oneWithAnInitrdOfItsOwn_orABadSize_isRefusedBeforeAnythingChanges() throws Exception {
    Ignis.Result missing = ignis.run("run", "--name", "x", "nosuch:1");
    assertThat(missing.status()).isEqualTo(101);
    assertThat(missing.err().strip()).startsWith("error: no image 'nosuch:1'");
    Path layout = TestImages.busyboxWeb(work.resolve("web-layout"));
    ignis.ok("image", "import", layout.toString());
    Ignis.Result kernel = ignis.run("run", "--name", "x", "--kernel", "/boot/vmlinuz", "--initrd", "/boot/initrd.img",
        "ignis-it/web:1");
    assertThat(kernel.status()).isEqualTo(100);
    assertThat(kernel.err()).contains("leave out --initrd");
    Ignis.Result small = ignis.run("run", "--name", "x", "--size", "1M", "ignis-it/web:1");
    assertThat(small.status()).isEqualTo(100);
    assertThat(small.err().strip()).matches("error: --size 1 MiB is smaller than image ignis-it/web:1 \\(\\d+ MiB\\);"
        + " a disk can be grown, not shrunk");
    Ignis.Result noDisk = ignis.run("run", "--name", "x", "--size", "1G");
    assertThat(noDisk.status()).isEqualTo(100);
    assertThat(noDisk.err()).contains("--size sizes the disk of a VM of an IMAGE");
    Ignis.Result badSize = ignis.run("run", "--name", "x", "--size", "lots", "ignis-it/web:1");
    assertThat(badSize.status()).as("a usage error, as --memory's").isEqualTo(2);
    assertThat(badSize.err()).contains("size 'lots' is not a size like 256M, 1G or 2T");
    assertThat(ignis.ok("ps", "-a")).doesNotContain(" x ");
    Path vms = ignis.state.resolve("vms");
    if (Files.isDirectory(vms)) {
      try (var left = Files.list(vms)) {
        assertThat(left).isEmpty();
      }
    }
  }
}
