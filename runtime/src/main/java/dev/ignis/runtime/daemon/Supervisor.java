package dev.ignis.runtime.daemon;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import dev.ignis.runtime.vm.Vm;
import dev.ignis.runtime.vm.VmLifecycle;
import dev.ignis.runtime.vm.VmStatus;
import dev.ignis.runtime.vm.VmStore;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * Watches the VMs of the state dir: every quarter second it reads the records, records a VM
 * whose QEMU died as exited ({@link VmLifecycle#reconcile}) and publishes every change of
 * status as an event, whoever made it (this daemon, an in-process command, a crash). Running
 * VMs are adopted simply by being in the store: a restarted ignisd supervises them again, and
 * one whose QEMU died while no daemon ran is recorded as exited on the first round.
 */
@Singleton
public final class Supervisor {

  /** How often the VMs are looked at; an exit is noticed within this. */
  static final long PERIOD_MILLIS = 250;

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Supervisor.class);

  private final VmStore store;
  private final VmLifecycle lifecycle;
  private final VmEvents events;
  private final Clock clock;
  private final Map<String, Vm> seen = new HashMap<>();
  private volatile boolean stopped;

  @Inject
  Supervisor(VmStore store, VmLifecycle lifecycle, VmEvents events, Clock clock) {
    this.store = store;
    this.lifecycle = lifecycle;
    this.events = events;
    this.clock = clock;
  }

  /** Starts watching on a thread of its own; returns how many VMs run now. */
  public int start() {
    long running = round(false);
    Thread thread = new Thread(this::loop, "ignisd-supervisor");
    thread.setDaemon(true);
    thread.start();
    return (int) running;
  }

  public void stop() {
    stopped = true;
  }

  private void loop() {
    while (!stopped) {
      try {
        Thread.sleep(PERIOD_MILLIS);
        round(true);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("supervising the VMs failed this round: {}", e.toString());
      }
    }
  }

  /** One look at every VM; returns how many run. */
  private synchronized long round(boolean publish) {
    Map<String, Vm> now = new HashMap<>();
    for (Vm listed : store.list().vms()) {
      Vm vm = listed;
      if (vm.status() == VmStatus.RUNNING) {
        vm = reconcile(vm);
      }
      now.put(vm.id(), vm);
      Vm before = seen.get(vm.id());
      if (publish && (before == null || before.status() != vm.status())) {
        if (before == null) {
          events.publish(event("created", vm, null));
        }
        if (before != null || vm.status() != VmStatus.CREATED) {
          events.publish(event("status", vm, before));
        }
      }
      if (before != null && before.status() == VmStatus.RUNNING && vm.status() == VmStatus.EXITED) {
        log.info("VM {} ({}): its QEMU exited; recorded as exited", vm.name(), vm.id());
      }
    }
    if (publish) {
      seen.forEach((id, vm) -> {
        if (!now.containsKey(id)) {
          events.publish(new VmEvents.Event(clock.instant(), "removed", id, vm.name(), "removed", vm.status().label()));
        }
      });
    }
    seen.clear();
    seen.putAll(now);
    return now.values().stream().filter(vm -> vm.status() == VmStatus.RUNNING).count();
  }

  private Vm reconcile(Vm vm) {
    try {
      return lifecycle.reconcile(vm);
    } catch (RuntimeException e) {
      return vm; // busy or unreadable now: looked at again next round
    }
  }

  private VmEvents.Event event(String type, Vm vm, Vm before) {
    return new VmEvents.Event(clock.instant(), type, vm.id(), vm.name(), vm.status().label(),
        before == null ? "" : before.status().label());
  }
}
