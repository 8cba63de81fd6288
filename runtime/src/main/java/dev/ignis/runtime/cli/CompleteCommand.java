package dev.ignis.runtime.cli;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code runtime __complete WORDS...}, hidden: what the completion scripts ask, one candidate a
 * line ({@code WORD<tab>DESCRIPTION}). Never fails: a name it cannot read is not offered.
 */
@Command(name = "__complete", hidden = true)
final class CompleteCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(arity = "0..*")
  List<String> words = new ArrayList<>();

  @Override
  public Integer call() {
    if (words.isEmpty()) {
      words = List.of("");
    }
    applyStateDir();
    Completion.Sources sources = new Completion.Sources(
        quietly(() -> root.service(dev.ignis.runtime.vm.VmStore.class).list().vms().stream().map(vm -> vm.name())
            .toList()),
        quietly(() -> root.service(dev.ignis.runtime.image.oci.OciImages.class).list().stream()
            .flatMap(image -> image.names().stream()).toList()),
        quietly(() -> {
          List<String> names = new ArrayList<>(List.of(dev.ignis.runtime.image.kernel.Kernels.DEFAULT));
          root.service(dev.ignis.runtime.image.kernel.Kernels.class).list().forEach(k -> names.addAll(k.names()));
          return names;
        }),
        quietly(() -> root.plugins().infos().stream().map(info -> info.id()).toList()));
    for (Completion.Candidate candidate : Completion.of(spec.parent(), words, sources)) {
      root.out.println(candidate.word() + "\t" + candidate.description());
    }
    return 0;
  }

  /** {@code --state-dir DIR} among the words: the names offered are that state dir's. */
  private void applyStateDir() {
    for (int i = 0; i < words.size() - 1; i++) {
      String word = words.get(i);
      if (word.equals("--state-dir") && i + 2 < words.size()) {
        root.stateDir = root.session.resolve(words.get(i + 1));
      } else if (word.startsWith("--state-dir=")) {
        root.stateDir = root.session.resolve(word.substring("--state-dir=".length()));
      }
    }
  }

  private Supplier<List<String>> quietly(Supplier<List<String>> names) {
    return () -> {
      try {
        java.nio.file.Path state = root.settings().stateDir();
        return Files.isDirectory(state) ? names.get() : List.of(); // no state dir is made for a TAB
      } catch (RuntimeException e) {
        if (root.verbose()) {
          e.printStackTrace(root.err);
        }
        return List.of();
      }
    };
  }
}
