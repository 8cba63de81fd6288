package dev.ignis.runtime.plugin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The long-lived jobs plugins run in the resident runtime ({@link
 * dev.ignis.spi.PluginContext#startService}): one thread each, named by plugin id and job name,
 * that belongs to no command (it inherits no command's streams or log level) and runs with the
 * plugin's class loader. Outside ignisd there are none ({@link #none()}): plugins are told so
 * and run such jobs their own way. Thread-safe.
 */
public final class PluginJobs {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(PluginJobs.class);

  private final boolean resident;
  private final Map<String, Thread> running = new ConcurrentHashMap<>();

  private PluginJobs(boolean resident) {
    this.resident = resident;
  }

  /** The jobs of ignisd. */
  public static PluginJobs resident() {
    return new PluginJobs(true);
  }

  /** A runtime that runs no jobs: each command a process of its own. */
  public static PluginJobs none() {
    return new PluginJobs(false);
  }

  /** Starts the job unless one of that name runs; false if this runtime runs no jobs. */
  public synchronized boolean start(String pluginId, String name, Runnable job) {
    if (!resident) {
      return false;
    }
    String key = key(pluginId, name);
    if (running.containsKey(key)) {
      return true;
    }
    Thread thread = new Thread(null, () -> run(key, job), "plugin-" + key, 0, false); // no command's thread-locals
    thread.setDaemon(true);
    thread.setContextClassLoader(job.getClass().getClassLoader());
    running.put(key, thread);
    thread.start();
    log.info("started job {}", key);
    return true;
  }

  private void run(String key, Runnable job) {
    try {
      job.run();
      log.info("job {} ended", key);
    } catch (Throwable e) { // a plugin's bug: logged, and the daemon goes on
      log.warn("job {} failed: {}", key, e.toString(), e);
    } finally {
      running.remove(key, Thread.currentThread());
    }
  }

  /** Interrupts the job and waits up to {@code grace} for it to end; false if none of that name runs. */
  public boolean stop(String pluginId, String name, Duration grace) {
    Thread thread = running.get(key(pluginId, name));
    if (thread == null) {
      return false;
    }
    thread.interrupt();
    join(thread, grace.toNanos());
    return true;
  }

  /** Stops every job, all within {@code grace} (the daemon stops). */
  public void stopAll(Duration grace) {
    List<Thread> threads = List.copyOf(running.values());
    threads.forEach(Thread::interrupt);
    long deadline = System.nanoTime() + grace.toNanos();
    for (Thread thread : threads) {
      join(thread, deadline - System.nanoTime());
      if (thread.isAlive()) {
        log.warn("{} did not end within {} s of being stopped", thread.getName(), grace.toSeconds());
      }
    }
  }

  /** The running jobs as {@code plugin/name}, sorted. */
  public List<String> names() {
    return running.keySet().stream().sorted().toList();
  }

  private static void join(Thread thread, long nanos) {
    try {
      TimeUnit.NANOSECONDS.timedJoin(thread, Math.max(1, nanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String key(String pluginId, String name) {
    return pluginId + "/" + name;
  }
}
