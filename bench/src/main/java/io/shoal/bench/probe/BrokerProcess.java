package io.shoal.bench.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's operating system process, read from /proc: CPU time used and resident memory.
 * Found by its PID or by the TCP port it listens on (the socket's inode, then the process holding it).
 */
public final class BrokerProcess {

    /** Linux reports CPU times in clock ticks of 1/100 s (USER_HZ) on every common platform. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long pid;

    public BrokerProcess(long pid) {
        this.pid = pid;
    }

    public long pid() {
        return pid;
    }

    /** The process listening on {@code port}, if it can be found (Linux /proc, same user or root). */
    public static Optional<BrokerProcess> listeningOn(int port) {
        try {
            Optional<String> inode = listeningInode(Path.of("/proc/net/tcp"), port)
                    .or(() -> listeningInode(Path.of("/proc/net/tcp6"), port));
            if (inode.isEmpty()) {
                return Optional.empty();
            }
            String target = "socket:[" + inode.get() + "]";
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
                for (Path proc : procs) {
                    if (holdsSocket(proc, target)) {
                        return Optional.of(new BrokerProcess(Long.parseLong(proc.getFileName().toString())));
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** User plus system CPU time consumed so far, in seconds. */
    public double cpuSeconds() {
        String stat = read("/proc/" + pid + "/stat");
        // Fields after the command name (which may contain spaces) start after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long utime = Long.parseLong(fields[11]);
        long stime = Long.parseLong(fields[12]);
        return (utime + stime) / TICKS_PER_SECOND;
    }

    /** Resident set size in bytes. */
    public long rssBytes() {
        for (String line : read("/proc/" + pid + "/status").split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String kb = line.substring(6).trim().toLowerCase(Locale.ROOT).replace("kb", "").trim();
                return Long.parseLong(kb) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /**
     * For a JVM broker: the heap in use after a full GC, through the JDK's jcmd (empty for other
     * processes). Resident memory says little about a JVM's connections, since the heap's pages
     * are touched as the young generation cycles; live heap after GC does.
     */
    public Optional<Long> liveHeapBytes() {
        if (!isJvm()) {
            return Optional.empty(); // attaching sends SIGQUIT, which would kill a native broker
        }
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            if (run(jcmd, Long.toString(pid), "GC.run") == null) {
                return Optional.empty();
            }
            String info = run(jcmd, Long.toString(pid), "GC.heap_info");
            if (info == null) {
                return Optional.empty();
            }
            Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
            return used.find() ? Optional.of(Long.parseLong(used.group(1)) * 1024) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        return process.waitFor() == 0 && !out.contains("Exception") ? out : null;
    }

    /** True if the process runs a Java virtual machine (its executable is a java launcher). */
    public boolean isJvm() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).getFileName().toString().equals("java");
        } catch (IOException e) {
            return false;
        }
    }

    public boolean isAlive() {
        return Files.exists(Path.of("/proc/" + pid));
    }

    private static Optional<String> listeningInode(Path table, int port) {
        String hexPort = String.format(":%04X", port);
        try {
            List<String> lines = Files.readAllLines(table);
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f[1].endsWith(hexPort) && f[3].equals("0A")) { // 0A = LISTEN
                    return Optional.of(f[9]);
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean holdsSocket(Path proc, String target) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals(target)) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // the descriptor closed while we looked
                }
            }
        } catch (IOException | SecurityException ignored) {
            // a process we may not inspect, or one that exited
        }
        return false;
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
