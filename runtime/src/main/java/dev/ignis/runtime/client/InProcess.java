package dev.ignis.runtime.client;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A command run in the client's own process ({@link dev.ignis.runtime.Main}), for {@code
 * IGNIS_DAEMON=off} and where no ignisd can run. The launcher starts the client with the
 * runtime's jar alone on its class path (a short class path starts faster); the runtime's
 * libraries are then loaded from the installation's {@code lib/}.
 */
final class InProcess {

  private InProcess() {}

  static void main(Optional<Path> home, String[] args) {
    if (InProcess.class.getClassLoader().getResource("com/google/inject/Guice.class") != null || home.isEmpty()) {
      dev.ignis.runtime.Main.main(args); // the whole runtime is on the class path already
      return;
    }
    try {
      URLClassLoader loader = new URLClassLoader(jars(home.get().resolve("lib")), ClassLoader.getPlatformClassLoader());
      Thread.currentThread().setContextClassLoader(loader);
      Class.forName("dev.ignis.runtime.Main", true, loader).getMethod("main", String[].class).invoke(null, (Object) args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException | IOException e) {
      System.err.println("error: cannot load the runtime from " + home.get().resolve("lib") + ": " + e
          + "; reinstall Ignis");
      System.exit(125);
    }
  }

  private static URL[] jars(Path lib) throws IOException {
    List<Path> jars = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(lib, "*.jar")) {
      for (Path jar : entries) {
        jars.add(jar);
      }
    }
    Collections.sort(jars);
    URL[] urls = new URL[jars.size()];
    for (int i = 0; i < urls.length; i++) {
      try {
        urls[i] = jars.get(i).toUri().toURL();
      } catch (MalformedURLException e) {
        throw new IOException(e);
      }
    }
    return urls;
  }
}
