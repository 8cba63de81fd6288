package dev.ignis.plugin.flannel;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops the {@link NodeAgent} as a detached Java process: the same java as the
 * runtime, with this plugin's jar, the SPI and SLF4J on its class path, sized as a small
 * resident process ({@link #MEMORY_FLAGS}).
 */
final class AgentProcess {

  /**
   * A small resident JVM (measured: 41-44 MB RSS for a vxlan node, flanneld's manifest allows
   * 50 MiB): C1 only with one compiler thread and a small code cache, the serial collector on a
   * heap that starts at 2 MB, small thread stacks, and no class-data-sharing archive (its 12 MB
   * mapping stays resident although the agent uses few of its classes).
   */
  static final List<String> MEMORY_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
      "-XX:ReservedCodeCacheSize=8m", "-XX:+UseSerialGC", "-Xms2m", "-Xmx24m", "-Xss256k", "-Xshare:off");

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
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(MEMORY_FLAGS);
    command.addAll(List.of("-Dslf4j.internal.verbosity=ERROR", "-cp", classPath, NodeAgent.class.getName(),
        stateDir.toString()));
    return process.start(command);
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
