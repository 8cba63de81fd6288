package dev.ignis.runtime.cli;

import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import dev.ignis.spi.ErrorCode;
import dev.ignis.spi.IgnisException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime logs}: the VM's serial console. */
@Command(name = "logs", mixinStandardHelpOptions = true, description = "Print a VM's serial console log.")
final class LogsCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = {"-f", "--follow"}, description = "Keep printing what the console writes until the VM stops.")
  boolean follow;

  @Parameters(paramLabel = "VM", description = "VM name or id, or a unique start of either.")
  String name;

  @Override
  public Integer call() throws Exception {
    VmStore store = root.service(VmStore.class);
    Vm vm = store.find(name);
    Path console = root.settings().vmsDir().resolve(vm.id()).resolve("console.log");
    try (InputStream in = Files.newInputStream(console)) {
      byte[] buffer = new byte[8192];
      while (true) {
        int read = in.read(buffer);
        if (read > 0) {
          root.out.write(buffer, 0, read);
          root.out.flush();
        } else if (follow && store.load(vm.id()).status() == VmStatus.RUNNING) {
          Thread.sleep(200);
        } else {
          return 0;
        }
      }
    } catch (NoSuchFileException e) {
      throw new IgnisException(ErrorCode.NOT_FOUND, "VM '" + vm.name() + "' has no console log yet; start it first");
    } catch (IOException e) {
      throw new IgnisException(ErrorCode.IO_FAILURE, "cannot read " + console + ": " + e.getMessage(), e);
    }
  }

}
