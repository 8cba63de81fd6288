package dev.ignis.runtime.cli;

import dev.ignis.runtime.format.Mappers;
import dev.ignis.runtime.vm.Vm;

/**
 * Builds Jackson's mapper and the VM record reader on a second core while the main thread
 * parses the command line: both take about a tenth of a second on a cold JVM, and most
 * commands need the VM records.
 */
final class Warmup {

  private Warmup() {}

  static void start() {
    Thread thread = new Thread(() -> Mappers.json().readerFor(Vm.class), "warmup");
    thread.setDaemon(true);
    thread.start();
  }
}
