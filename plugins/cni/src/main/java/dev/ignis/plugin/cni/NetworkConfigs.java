package dev.ignis.plugin.cni;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The networks of a conf dir, chosen as libcni's users do (kubelet, containerd's go-cni,
 * CRI-O, Ignite): every {@code *.conf}, {@code *.conflist} and {@code *.json} sorted together by
 * file name, and the first one wins; or the one with a given name. Installs Ignite's default
 * network into an empty or missing conf dir.
 */
final class NetworkConfigs {

  private final Path confDir;

  NetworkConfigs(Path confDir) {
    this.confDir = confDir;
  }

  /** The network to use: by name if given, else the first one. */
  NetworkConfigList load(Optional<String> name) {
    return load(name, files());
  }

  /** The network to use, after installing the default one into an empty conf dir. */
  NetworkConfigList loadOrInstallDefault(Optional<String> name) {
    List<Path> files = files();
    if (files.isEmpty()) {
      installDefaultIfEmpty();
      files = files();
    }
    return load(name, files);
  }

  /**
   * The network an attach would use, without changing anything: the default network (not
   * installed) when the conf dir has none.
   */
  NetworkConfigList peek(Optional<String> name) {
    List<Path> files = files();
    if (files.isEmpty() && name.filter(n -> !n.equals(DefaultNetwork.NAME)).isEmpty()) {
      return NetworkConfigList.parseList(DefaultNetwork.CONFLIST, confDir.resolve(DefaultNetwork.FILE_NAME)
          + " (to be installed)");
    }
    return load(name, files);
  }

  private NetworkConfigList load(Optional<String> name, List<Path> files) {
    List<NetworkConfigList> all = new ArrayList<>();
    for (Path file : files) {
      if (name.isEmpty()) {
        return parse(file);
      }
      NetworkConfigList list = parse(file);
      if (list.name().equals(name.get())) {
        return list;
      }
      all.add(list);
    }
    if (name.isPresent()) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "no CNI network named '" + name.get() + "' in " + confDir
          + (all.isEmpty() ? " (it has none)" : " (it has: " + String.join(", ", all.stream().map(NetworkConfigList::name)
              .toList()) + ")") + "; name one of those, or add a conflist for it there");
    }
    throw new IgnisException(ErrorCode.INVALID_NETWORK_CONFIG, "no CNI network config in " + confDir
        + "; run 'runtime bootstrap' to install the default network");
  }

  /** Writes the default network if the conf dir has no config; returns whether it did. */
  boolean installDefaultIfEmpty() {
    if (!files().isEmpty()) {
      return false;
    }
    try {
      Files.createDirectories(confDir);
      Path temp = Files.createTempFile(confDir, ".10-ignite", ".tmp");
      Files.writeString(temp, DefaultNetwork.CONFLIST);
      Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      Files.move(temp, confDir.resolve(DefaultNetwork.FILE_NAME), StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot install the default network into " + confDir + ": "
          + e.getMessage(), e);
    }
  }

  /** The config files, in the order they are considered. */
  List<Path> files() {
    if (!Files.isDirectory(confDir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(confDir)) {
      // libcni's ConfFiles + sort.Strings, as kubelet and go-cni use them: one order for all extensions.
      return entries.filter(Files::isRegularFile).filter(p -> {
        String file = p.getFileName().toString();
        return file.endsWith(".conf") || file.endsWith(".conflist") || file.endsWith(".json");
      }).sorted().toList();
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot list CNI conf dir " + confDir + ": " + e.getMessage(), e);
    }
  }

  private static NetworkConfigList parse(Path file) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read network config " + file + ": " + e.getMessage(), e);
    }
    return file.toString().endsWith(".conflist")
        ? NetworkConfigList.parseList(json, file.toString())
        : NetworkConfigList.parseSingle(json, file.toString());
  }
}
