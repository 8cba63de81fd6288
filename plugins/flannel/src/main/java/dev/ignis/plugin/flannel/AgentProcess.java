package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops the {@link NodeAgent} as a detached Java process: the same java as the
 * runtime, with this plugin's jar, the SPI and SLF4J on its class path.
 */
final class AgentProcess {

  private final Path stateDir;
  private final DetachedProcess process;

  AgentProcess(Path stateDir) {
    this.stateDir = stateDir;
    this.process = DetachedProcess.in(stateDir, "agent");
  }

  long start() {
    stop();
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath = String.join(":", List.of(locationOf(NodeAgent.class), locationOf(dev.ignis.spi.NetworkPlugin.class),
        locationOf(org.slf4j.LoggerFactory.class)));
    return process.start(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m", "-Dslf4j.internal.verbosity=ERROR", "-cp", classPath,
        NodeAgent.class.getName(), stateDir.toString()));
  }

  Optional<ProcessHandle> running() {
    return process.running();
  }

  void stop() {
    process.stop(10);
  }

  String lastLogLines() {
    return process.lastLogLines(3);
  }

  private static String locationOf(Class<?> type) {
    try {
      return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException | NullPointerException e) {
      throw new IgnisException(ErrorCode.INTERNAL, "cannot tell where " + type.getName() + " was loaded from", e);
    }
  }
}
