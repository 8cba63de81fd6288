package dev.ignis.plugin.flannel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapArgsTest {

  @TempDir Path dir;

  private static BootstrapArgs join(String... args) {
    return BootstrapArgs.parse("join", List.of(args), Set.of("--bundle", "--public-ip"), Set.of("--insecure"), 1,
        FlannelBootstrap.JOIN_USAGE);
  }

  @Test
  void optionsFlagsAndPositionals() {
    BootstrapArgs args = join("192.168.1.1", "--bundle=/b.pem", "--insecure", "--public-ip", "192.168.1.2");
    assertThat(args.positionals()).containsExactly("192.168.1.1");
    assertThat(args.option("--bundle")).hasValue("/b.pem");
    assertThat(args.option("--public-ip")).hasValue("192.168.1.2");
    assertThat(args.flag("--insecure")).isTrue();
  }

  @Test
  void mistakes_nameTheProblemAndTheUsage() {
    assertThatThrownBy(() -> join()).hasMessage("bootstrap join: it takes 1 argument; usage: "
        + FlannelBootstrap.JOIN_USAGE);
    assertThatThrownBy(() -> join("n1", "--bundle")).hasMessageStartingWith("bootstrap join: --bundle needs a value");
    assertThatThrownBy(() -> join("n1", "--force")).hasMessageStartingWith("bootstrap join: unknown option --force");
  }

  @Test
  void joinBundle_unpacksIntoTheTlsFiles_andRefusesOtherFiles() throws Exception {
    String ca = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
    String cert = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";
    String key = "-----BEGIN PRIVATE KEY-----\nS0VZ\n-----END PRIVATE KEY-----\n";
    Path bundle = Files.writeString(dir.resolve("bundle.pem"), ca + cert + key);
    EtcdCertificates.unpackBundle(bundle, dir.resolve("tls"));
    EtcdTls tls = new EtcdTls(dir.resolve("tls"));
    assertThat(Files.readString(tls.ca())).isEqualTo(ca);
    assertThat(Files.readString(tls.cert())).isEqualTo(cert);
    assertThat(Files.readString(tls.key())).isEqualTo(key);

    Path wrong = Files.writeString(dir.resolve("wrong.pem"), ca);
    assertThatThrownBy(() -> EtcdCertificates.unpackBundle(wrong, dir.resolve("tls2")))
        .hasMessageContaining("is not a flannel join bundle");
    assertThatThrownBy(() -> EtcdCertificates.unpackBundle(dir.resolve("none.pem"), dir.resolve("tls3")))
        .hasMessageContaining("does not exist; copy flannel-join-bundle.pem from the first node");
    assertThatThrownBy(() -> new EtcdTls(dir.resolve("tls")).sslContext())
        .hasMessageContaining("are not a usable CA, certificate and key");
  }
}
