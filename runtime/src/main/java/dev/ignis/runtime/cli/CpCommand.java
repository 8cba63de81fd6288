package dev.ignis.runtime.cli;

import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime cp SRC DST}: files to or from a VM made with --ssh ({@code VM:/path} on one side). */
@Command(name = "cp", mixinStandardHelpOptions = true,
    description = "Copy files or directories between the host and a VM made with --ssh; write the VM's side as"
        + " VM:/path.")
final class CpCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Parameters(index = "0", paramLabel = "SRC", description = "A host path, or VM:/path.")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "A host path, or VM:/path.")
  String destination;

  @Override
  public Integer call() {
    boolean fromVm = isVmPath(source);
    boolean toVm = isVmPath(destination);
    if (fromVm == toVm) {
      throw new IgnisException(ErrorCode.INVALID_ARGUMENT, "give one side as VM:/path and the other as a host path"
          + " (runtime cp ./file web:/tmp/file)");
    }
    String vmSide = fromVm ? source : destination;
    SshTarget target = SshTarget.of(root, vmSide.substring(0, vmSide.indexOf(':')));
    String remote = target.login() + ":" + vmSide.substring(vmSide.indexOf(':') + 1);
    String local = root.session.resolve(fromVm ? destination : source).toString();
    List<String> argv = new ArrayList<>(List.of("scp", "-r", "-q"));
    argv.addAll(target.options());
    argv.add(fromVm ? remote : local);
    argv.add(fromVm ? local : remote);
    return SshTarget.run(argv, root);
  }

  /** {@code name:/path}: a VM's path (a host path never has a colon before its first slash). */
  private static boolean isVmPath(String path) {
    int colon = path.indexOf(':');
    int slash = path.indexOf('/');
    return colon > 0 && (slash < 0 || colon < slash);
  }
}
