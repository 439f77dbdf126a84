package org.rtc4j.bench.turn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What Linux says about a process and about UDP sockets: resident memory, CPU time, and the
 * per-socket drop counters of {@code /proc/net/udp}, which tell whether a lost packet died in the
 * server's receive queue or in the generator's.
 */
final class ProcStats {
    private ProcStats() {}

    /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux the JDK runs on. */
    static final double CLOCK_TICKS_PER_SECOND = 100.0;

    /** Whether the process exists and is not a zombie. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** VmRSS in kB, or -1 if the process is gone. */
    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** utime + stime of every thread of the process, in seconds; -1 if the process is gone. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid < 0 ? "self" : Long.toString(pid), "stat"));
            // The command name may hold spaces and parentheses: fields start after the last ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // f[0] is field 3 (state); utime is field 14, stime field 15.
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {utime, stime} in seconds, or null if the process is gone. */
    static double[] cpuUserSystem(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid < 0 ? "self" : Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return new double[] {Long.parseLong(f[11]) / CLOCK_TICKS_PER_SECOND, Long.parseLong(f[12]) / CLOCK_TICKS_PER_SECOND};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * CPU time every process on the machine spent (user, nice, system, irq, softirq, steal of the
     * first line of /proc/stat), in seconds; with the server's and the generator's own times it
     * tells how much CPU other work took during a step. -1 if unreadable.
     */
    static double machineBusySeconds() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = line.trim().split("\\s+");
            long busy = 0;
            // cpu user nice system idle iowait irq softirq steal ...
            int[] busyFields = {1, 2, 3, 6, 7, 8};
            for (int i : busyFields) {
                if (i < f.length) {
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static double selfCpuSeconds() {
        return cpuSeconds(-1);
    }

    /** Drops counted by the kernel on UDP sockets, split into the generator's ports and the rest. */
    record UdpDrops(long own, long others) {
        UdpDrops minus(UdpDrops before) {
            return new UdpDrops(own - before.own, others - before.others);
        }
    }

    static UdpDrops udpDrops(Set<Integer> ownPorts) {
        long own = 0;
        long others = 0;
        for (String file : List.of("/proc/net/udp", "/proc/net/udp6")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(file));
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 13) {
                    continue;
                }
                String local = f[1];
                int port = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                long drops = Long.parseLong(f[f.length - 1]);
                if (ownPorts.contains(port)) {
                    own += drops;
                } else {
                    others += drops;
                }
            }
        }
        return new UdpDrops(own, others);
    }
}
