package org.rtc4j.bench.datachannel;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of this process and heap allocated by its threads at one moment; the difference of two
 * snapshots turns a transfer into cost per byte, a figure that survives a loaded machine where
 * MB/s does not (the machine's other work slows the clock, not the work per byte).
 *
 * <p>CPU is {@code OperatingSystemMXBean.getProcessCpuTime} (user + system of every thread,
 * including GC and JIT); allocation is the per-thread {@code getThreadAllocatedBytes} of Java
 * threads alive at the second snapshot (a thread that died in between is missed, so it is a lower
 * bound; the loops and callback threads of a transfer live through it).
 */
record Cost(long cpuNanos, Map<Long, Long> allocatedByThread, Map<Long, Long> cpuByThread) {

  static Cost now() {
    long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long[] ids = tm.getAllThreadIds();
    long[] bytes = tm.getThreadAllocatedBytes(ids);
    Map<Long, Long> m = new HashMap<>();
    Map<Long, Long> c = new HashMap<>();
    for (int i = 0; i < ids.length; i++) {
      if (bytes[i] >= 0) {
        m.put(ids[i], bytes[i]);
      }
      long t = tm.getThreadCpuTime(ids[i]);
      if (t >= 0) {
        c.put(ids[i], t);
      }
    }
    return new Cost(cpu, m, c);
  }

  /** CPU seconds since {@code start}. */
  double cpuSecondsSince(Cost start) {
    return (cpuNanos - start.cpuNanos) / 1e9;
  }

  /**
   * CPU seconds of the Java threads alive now since {@code start}: the stack's own work, without
   * the JIT compiler, GC and profiler threads whose share grows with wall-clock time when a loaded
   * machine slows the transfer down.
   */
  double threadCpuSecondsSince(Cost start) {
    long sum = 0;
    for (var e : cpuByThread.entrySet()) {
      sum += e.getValue() - start.cpuByThread.getOrDefault(e.getKey(), 0L);
    }
    return sum / 1e9;
  }

  /** Bytes allocated since {@code start} by the threads alive now. */
  long allocatedSince(Cost start) {
    long sum = 0;
    for (var e : allocatedByThread.entrySet()) {
      sum += e.getValue() - start.allocatedByThread.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }
}
