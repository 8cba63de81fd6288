package dev.ignis.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Images a test makes itself, offline: an OCI image layout of one layer holding the host's
 * static busybox, a web root with CGI probes and a writable /data, whose command is busybox
 * httpd on port 80 (a plain container image: no init of its own).
 */
final class TestImages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestImages() {}

  /**
   * The busybox web image as an OCI layout in {@code dir}: {@code /} serves "image page",
   * {@code /cgi-bin/env} the environment, the directory the command started in and the hostname, {@code
   * /cgi-bin/write?TEXT} writes /data/note, {@code /cgi-bin/read} shows it.
   */
  static Path busyboxWeb(Path dir) throws Exception {
    return busyboxWeb(dir, null);
  }

  /**
   * The same image whose configuration names {@code user} (with uid 1000 and home /home/web in
   * its /etc/passwd), serving on port 8080, which a user other than root may bind; or, with
   * {@code user} null, the image above.
   */
  static Path busyboxWeb(Path dir, String user) throws Exception {
    Path root = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-rootfs"));
    if (user != null) {
      Files.createDirectories(root.resolve("etc"));
      Files.createDirectories(root.resolve("home/web"));
      Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n" + user
          + ":x:1000:1000:web:/home/web:/bin/sh\n");
      Files.writeString(root.resolve("etc/group"), "root:x:0:\n" + user + ":x:1000:\n");
    }
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), root.resolve("bin/busybox"));
    Files.createSymbolicLink(root.resolve("bin/sh"), Path.of("busybox"));
    Files.createDirectories(root.resolve("data"));
    Files.createDirectories(root.resolve("tmp"));
    Ignis.sh("chmod", "1777", root.resolve("tmp").toString()); // as in any image: every user writes there
    Path cgi = Files.createDirectories(root.resolve("var/www/cgi-bin"));
    Files.writeString(root.resolve("var/www/index.html"), "image page\n");
    script(cgi.resolve("env"), "echo \"pwd=$(busybox cat /tmp/started-in) hostname=$(busybox hostname) greeting=$GREETING"
        + " uid=$(busybox id -u) home=$HOME\"; busybox cat /etc/resolv.conf");
    script(cgi.resolve("write"), "echo \"$QUERY_STRING\" > /data/note && echo written");
    script(cgi.resolve("read"), "busybox cat /data/note 2>&1");
    Path layer = Files.createDirectories(dir.resolve("blobs/sha256")).resolve("layer.tar");
    Ignis.sh("tar", "--numeric-owner", "--owner=0", "--group=0", "-cf", layer.toString(), "-C", root.toString(), ".");
    String layerDigest = sha256(Files.readAllBytes(layer));
    Files.move(layer, layer.resolveSibling(layerDigest));
    ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    ObjectNode settings = config.putObject("config");
    // The command notes the directory it started in, then becomes httpd (which moves to its web root).
    settings.putArray("Entrypoint").add("/bin/sh").add("-c").add("busybox pwd > /tmp/started-in && exec busybox httpd"
        + " -f -p 80 \"$@\"").add("sh");
    settings.putArray("Cmd").add("-h").add("/var/www");
    if (user != null) {
      settings.withArray("Cmd").add("-p").add("8080");
      settings.put("User", user);
    }
    settings.putArray("Env").add("PATH=/bin").add("GREETING=hello from the image config");
    settings.put("WorkingDir", "/data");
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    rootfs.putArray("diff_ids").add("sha256:" + layerDigest);
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = blob(dir, configBytes);
    ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
        .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
        .put("digest", "sha256:" + configDigest).put("size", configBytes.length);
    ArrayNode layers = manifest.putArray("layers");
    layers.addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar").put("digest", "sha256:" + layerDigest)
        .put("size", Files.size(dir.resolve("blobs/sha256").resolve(layerDigest)));
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
    index.putArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
        .put("digest", "sha256:" + blob(dir, manifestBytes)).put("size", manifestBytes.length)
        .putObject("annotations").put("org.opencontainers.image.ref.name", "ignis-it/web:1");
    Files.write(dir.resolve("index.json"), JSON.writeValueAsBytes(index));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return dir;
  }

  /** Where images that take long to make are kept between runs (the Debian one takes a minute and 240 MB). */
  static final Path CACHE = Path.of("/var/cache/ignis-test");

  /**
   * Debian's current kernel package ({@code linux-image-<release>-amd64_*.deb}, the one
   * linux-image-amd64 depends on), downloaded from the Debian mirror once and cached between runs.
   */
  static Path debianKernelPackage() throws Exception {
    Path dir = Files.createDirectories(CACHE.resolve("kernel"));
    try (var found = Files.list(dir)) {
      java.util.Optional<Path> cached = found.filter(p -> p.getFileName().toString().matches("linux-image-.*\\.deb"))
          .findFirst();
      if (cached.isPresent()) {
        return cached.get();
      }
    }
    Path work = Files.createTempDirectory("ignis-kernel-deb");
    try {
      work.toFile().setWritable(true, false); // apt's download user writes here
      work.toFile().setExecutable(true, false);
      String meta = Ignis.sh("sh", "-c", "cd " + work + " && apt-get download -qq linux-image-amd64 2>/dev/null"
          + " && dpkg-deb -f linux-image-amd64_*.deb Depends");
      String packageName = java.util.regex.Pattern.compile("linux-image-[0-9][^ ,]*-amd64").matcher(meta).results()
          .findFirst().orElseThrow().group();
      Ignis.sh("sh", "-c", "cd " + work + " && apt-get download -qq " + packageName + " 2>/dev/null");
      try (var debs = Files.list(work)) {
        Path deb = debs.filter(p -> p.getFileName().toString().startsWith(packageName + "_")).findFirst().orElseThrow();
        Path target = dir.resolve(deb.getFileName());
        Files.move(deb, dir.resolve(deb.getFileName() + ".partial"));
        Files.move(dir.resolve(deb.getFileName() + ".partial"), target);
        return target;
      }
    } finally {
      Ignis.sh("rm", "-rf", work.toString());
    }
  }

  /**
   * A Debian 12 image with systemd and openssh-server, made by mmdebstrap from the Debian mirror
   * (minbase; cached between runs), as a docker save archive in {@code dir} with a second layer
   * that has systemd-networkd take every card's address by DHCP. Its configuration names no
   * command: it boots its own init.
   */
  static Path debianWithSystemd(Path dir) throws Exception {
    Path base = CACHE.resolve("debian-12-systemd-ssh.tar");
    if (!Files.exists(base)) {
      Files.createDirectories(CACHE);
      Path partial = CACHE.resolve("debian-12-systemd-ssh.tar.partial");
      Ignis.sh("mmdebstrap", "--quiet", "--variant=minbase", "--include=systemd,systemd-sysv,openssh-server,iproute2,udev",
          "--mode=root", "--format=tar", "bookworm", partial.toString(), "http://deb.debian.org/debian");
      Files.move(partial, base);
    }
    Path save = Files.createDirectories(dir);
    Files.copy(base, save.resolve("base.tar"));
    Path network = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-network"));
    Path units = Files.createDirectories(network.resolve("etc/systemd/system/multi-user.target.wants"));
    Files.createDirectories(network.resolve("etc/systemd/system/sockets.target.wants"));
    Files.createDirectories(network.resolve("etc/systemd/network"));
    Files.writeString(network.resolve("etc/systemd/network/80-ignis.network"), "[Match]\nName=eth*\n[Network]\nDHCP=ipv4\n");
    Files.createSymbolicLink(units.resolve("systemd-networkd.service"), Path.of("/lib/systemd/system/systemd-networkd.service"));
    Files.createSymbolicLink(network.resolve("etc/systemd/system/sockets.target.wants/systemd-networkd.socket"),
        Path.of("/lib/systemd/system/systemd-networkd.socket"));
    Ignis.sh("tar", "--numeric-owner", "--owner=0", "--group=0", "-cf", save.resolve("network.tar").toString(), "-C",
        network.toString(), ".");
    ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
    config.putObject("config");
    ArrayNode diffIds = config.putObject("rootfs").put("type", "layers").putArray("diff_ids");
    diffIds.add("sha256:" + sha256(save.resolve("base.tar"))).add("sha256:" + sha256(save.resolve("network.tar")));
    Files.write(save.resolve("config.json"), JSON.writeValueAsBytes(config));
    Files.writeString(save.resolve("manifest.json"), "[{\"Config\":\"config.json\",\"RepoTags\":[\"ignis-it/debian:12\"],"
        + "\"Layers\":[\"base.tar\",\"network.tar\"]}]");
    Path archive = dir.resolveSibling(dir.getFileName() + ".tar");
    Ignis.sh("tar", "-cf", archive.toString(), "-C", save.toString(), ".");
    return archive;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static void script(Path file, String body) throws Exception {
    Files.writeString(file, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n'\n" + body + "\n");
    Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String blob(Path dir, byte[] content) throws Exception {
    String hex = sha256(content);
    Files.write(Files.createDirectories(dir.resolve("blobs/sha256")).resolve(hex), content);
    return hex;
  }

  private static String sha256(byte[] content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
  }
}
