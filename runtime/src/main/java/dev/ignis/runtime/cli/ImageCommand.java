package dev.ignis.runtime.cli;

import dev.ignis.runtime.image.oci.ImageImporter;
import dev.ignis.runtime.image.oci.OciImages;
import dev.ignis.runtime.vm.VmStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code runtime image import|ls|inspect|rm}: VM disk images made from OCI and Docker images. */
@Command(name = "image", mixinStandardHelpOptions = true,
    description = "Import, list, inspect or remove VM images made from OCI or Docker images.",
    subcommands = {ImageCommand.Import.class, ImageCommand.Ls.class, ImageCommand.Inspect.class, ImageCommand.Rm.class})
final class ImageCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
        "missing subcommand: import, ls, inspect or rm");
  }

  @Command(name = "import", mixinStandardHelpOptions = true,
      description = "Import an image: an OCI image layout directory, an OCI or 'docker save' archive (.tar or .tar.gz),"
          + " or docker://NAME[:TAG] from the local Docker Engine. No registry is contacted.")
  static final class Import implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(paramLabel = "SOURCE", description = "Directory, archive file, or docker://NAME[:TAG].")
    String source;

    @Option(names = "--name", paramLabel = "NAME", description = "Name for the image (default: the name the source"
        + " gives it).")
    String name;

    @Override
    public Integer call() {
      String resolved = source.startsWith("docker://") ? source : image.root.session.resolve(source).toString();
      ImageImporter.Result result;
      try (Progress progress = image.root.progress("importing " + source)) {
        result = image.root.service(ImageImporter.class).importImage(resolved, Optional.ofNullable(name));
      }
      OciImages.Image imported = result.image();
      image.root.out.println(imported.id());
      if (!result.imported()) {
        image.root.err.println("note: image " + imported.shortId() + " was imported already; named "
            + String.join(", ", imported.names()));
      }
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the images.")
  static final class Ls implements Callable<Integer> {
    @ParentCommand ImageCommand image;
    @Mixin OutputOption output;

    @Override
    public Integer call() {
      List<OciImages.Image> images = image.root.service(OciImages.class).list();
      if (!output.isTable()) {
        output.print(image.root.out, images.stream().map(ImageCommand::view).toList());
        return 0;
      }
      Table table = new Table("NAME", "ID", "SIZE", "IMPORTED");
      Instant now = Instant.now();
      for (OciImages.Image found : images) {
        List<String> names = found.names().isEmpty() ? List.of("<none>") : found.names();
        for (String name : names) {
          table.row(name, found.shortId(), size(found.sizeBytes()), VmView.age(found.importedAt(), now) + " ago");
        }
      }
      table.print(image.root.out);
      return 0;
    }
  }

  @Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show images with their configuration.")
  static final class Inspect implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image name, id or unique id prefix.")
    List<String> references;

    @Override
    public Integer call() {
      OciImages images = image.root.service(OciImages.class);
      List<Map<String, Object>> views = new ArrayList<>();
      int status = EachNamed.collect(image.root, references, reference -> view(images.find(reference)), views);
      OutputOption output = new OutputOption();
      output.format = OutputOption.Format.JSON;
      output.print(image.root.out, views);
      return status;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true,
      description = "Remove image names; an image goes with its last name, or when given by id. Refused while a VM"
          + " uses it.")
  static final class Rm implements Callable<Integer> {
    @ParentCommand ImageCommand image;

    @Parameters(paramLabel = "IMAGE", arity = "1..*", description = "Image name, id or unique id prefix.")
    List<String> references;

    @Override
    public Integer call() {
      OciImages images = image.root.service(OciImages.class);
      VmStore vms = image.root.service(VmStore.class);
      return EachNamed.run(image.root, references, reference -> String.join("\n", images.remove(reference,
          found -> vms.list().vms().stream().filter(vm -> vm.spec().boot().image().equals(found.id()))
              .map(vm -> vm.name()).toList())));
    }
  }

  private static Map<String, Object> view(OciImages.Image image) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", image.id());
    view.put("names", image.names());
    view.put("source", image.source());
    view.put("importedAt", image.importedAt().toString());
    view.put("sizeBytes", image.sizeBytes());
    view.put("rootfs", image.rootfs().toString());
    view.put("init", image.init().isEmpty() ? null : image.init());
    view.put("config", image.config().path("config"));
    return view;
  }

  static String size(long bytes) {
    return bytes >= 1 << 30 ? String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1 << 30))
        : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
  }
}
