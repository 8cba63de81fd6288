package dev.ignis.runtime.vm;

import dev.ignis.runtime.hypervisor.GuestProcess;
import dev.ignis.runtime.hypervisor.GuestSpec;
import dev.ignis.runtime.hypervisor.Hypervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A hand-written fake hypervisor for unit tests of the lifecycle's own logic. */
final class FakeHypervisor implements Hypervisor {

  final List<String> calls = new ArrayList<>();
  final List<GuestSpec> started = new ArrayList<>();
  final Set<Long> alive = new HashSet<>();
  boolean neverReady;
  private long nextPid = 1000;

  @Override
  public GuestProcess start(GuestSpec spec) {
    started.add(spec);
    long pid = nextPid++;
    alive.add(pid);
    calls.add("start " + spec.name());
    return new GuestProcess(pid, spec.accel(), spec.vmDir().resolve("console.log").toString(), "qmp");
  }

  @Override
  public void awaitReady(GuestProcess guest, Duration timeout) {
    if (neverReady) {
      throw new dev.ignis.spi.IgnisException(dev.ignis.spi.ErrorCode.TRY_AGAIN_LATER, "not ready on purpose");
    }
  }

  @Override
  public boolean isAlive(GuestProcess guest) {
    return alive.contains(guest.pid());
  }

  @Override
  public void stop(GuestProcess guest, Duration grace) {
    calls.add("stop " + guest.pid());
    alive.remove(guest.pid());
  }

  @Override
  public void kill(GuestProcess guest) {
    if (alive.remove(guest.pid())) {
      calls.add("kill " + guest.pid());
    }
  }

  /** The guest started in that directory while it is alive, as the pid file would tell. */
  @Override
  public java.util.Optional<GuestProcess> find(java.nio.file.Path vmDir) {
    for (int i = 0; i < started.size(); i++) {
      long pid = 1000 + i;
      if (started.get(i).vmDir().equals(vmDir) && alive.contains(pid)) {
        return java.util.Optional.of(new GuestProcess(pid, "", vmDir.resolve("console.log").toString(), "qmp"));
      }
    }
    return java.util.Optional.empty();
  }
}
