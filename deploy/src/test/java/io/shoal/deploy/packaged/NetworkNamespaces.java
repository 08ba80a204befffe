package io.shoal.deploy.packaged;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A network of its own for a test: network namespaces {@code shoal-<run>-1..n}, each joined by a
 * veth pair to a Linux bridge in the root namespace, on {@value #SUBNET}.0/24: the bridge is
 * {@code .254}, namespace n is {@code .n}. Processes started in a namespace (see
 * {@link #launcher(int)}) reach each other and the bridge address; the test, in the root namespace,
 * reaches all of them. {@link #cut} drops the traffic between two namespaces in both directions
 * with blackhole routes, while both stay reachable from the root namespace.
 *
 * <p>Needs CAP_NET_ADMIN: as root the {@code ip} commands run directly, otherwise through
 * {@code sudo -n}; {@link #unavailable()} says when neither works. Everything is deleted by
 * {@link #close()}.
 */
final class NetworkNamespaces implements AutoCloseable {

    /** An unusual private /24, checked to be unused before it is taken. */
    static final String SUBNET = "10.231.0";

    private static final Path IP = Stream.of("/usr/sbin/ip", "/sbin/ip", "/bin/ip").map(Path::of)
            .filter(Files::isExecutable).findFirst().orElse(null);

    private final List<String> admin;
    private final String run = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    /** Namespaces created so far, 1..joined. */
    private int joined;

    private NetworkNamespaces(List<String> admin) {
        this.admin = admin;
    }

    /** Why network namespaces cannot be created here, if they cannot. */
    static Optional<String> unavailable() {
        if (IP == null) {
            return Optional.of("no `ip` command (iproute2), needed for network namespaces");
        }
        List<String> admin = admin();
        if (!admin.isEmpty() && exec(List.of("sudo", "-n", "true")).exitCode() != 0) {
            return Optional.of("network namespaces need CAP_NET_ADMIN: run as root or with passwordless sudo");
        }
        String used = output(List.of(IP.toString(), "-4", "-o", "addr")) + output(List.of(IP.toString(), "-4", "route"));
        if (used.contains(SUBNET + ".")) {
            return Optional.of(SUBNET + ".0/24 is already in use here:\n" + used);
        }
        NetworkNamespaces probe = new NetworkNamespaces(admin);
        Result added = probe.ip("netns", "add", probe.namespace(0));
        if (added.exitCode() != 0) {
            return Optional.of("`ip netns add` is not permitted: " + added.output());
        }
        probe.ip("netns", "del", probe.namespace(0)).check();
        return Optional.empty();
    }

    /** Creates {@code size} namespaces on the bridge (see {@link #unavailable()} first). */
    static NetworkNamespaces create(int size) {
        NetworkNamespaces network = new NetworkNamespaces(admin());
        try {
            network.ip("link", "add", network.bridge(), "type", "bridge").check();
            network.ip("addr", "add", network.bridgeIp() + "/24", "dev", network.bridge()).check();
            network.ip("link", "set", network.bridge(), "up").check();
            for (int n = 1; n <= size; n++) {
                network.join(n);
            }
        } catch (RuntimeException e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** What runs the {@code ip} commands: nothing as root, else sudo. */
    private static List<String> admin() {
        return "0".equals(output(List.of("id", "-u")).strip()) ? List.of() : List.of("sudo", "-n");
    }

    private void join(int n) {
        String namespace = namespace(n);
        ip("netns", "add", namespace).check();
        joined = n;
        ip("link", "add", hostSide(n), "type", "veth", "peer", "name", "eth0", "netns", namespace).check();
        ip("link", "set", hostSide(n), "master", bridge(), "up").check();
        ip("-n", namespace, "addr", "add", ip(n) + "/24", "dev", "eth0").check();
        ip("-n", namespace, "link", "set", "eth0", "up").check();
        ip("-n", namespace, "link", "set", "lo", "up").check();
    }

    String namespace(int n) {
        return "shoal-" + run + "-" + n;
    }

    /** The address of namespace {@code n}. */
    String ip(int n) {
        return SUBNET + "." + n;
    }

    /** The root namespace's address on the bridge, where it offers services to the namespaces. */
    String bridgeIp() {
        return SUBNET + ".254";
    }

    private String bridge() {
        return "shbr-" + run;
    }

    /** The root namespace's end of namespace {@code n}'s veth pair. */
    private String hostSide(int n) {
        return "shv-" + run + "-" + n;
    }

    /**
     * What runs a command in namespace {@code n}. Without root, the outer sudo enters the namespace
     * and the inner one drops back to this user, so that the test can still signal what it started.
     */
    List<String> launcher(int n) {
        List<String> launcher = new ArrayList<>(admin);
        launcher.addAll(List.of(IP.toString(), "netns", "exec", namespace(n)));
        if (!admin.isEmpty()) {
            launcher.addAll(List.of("sudo", "-n", "-u", System.getProperty("user.name")));
        }
        return launcher;
    }

    /** Drops all traffic between namespaces {@code a} and {@code b}, both ways. */
    void cut(int a, int b) {
        ip("-n", namespace(a), "route", "add", "blackhole", ip(b) + "/32").check();
        ip("-n", namespace(b), "route", "add", "blackhole", ip(a) + "/32").check();
    }

    /** Undoes {@link #cut(int, int)}. */
    void heal(int a, int b) {
        ip("-n", namespace(a), "route", "del", "blackhole", ip(b) + "/32").check();
        ip("-n", namespace(b), "route", "del", "blackhole", ip(a) + "/32").check();
    }

    /** Deletes the namespaces (with their veth pairs) and the bridge; stop what runs in them first. */
    @Override
    public void close() {
        for (int n = 1; n <= joined; n++) {
            ip("link", "del", hostSide(n)); // gone with its namespace, unless a process still holds that
            ip("netns", "del", namespace(n));
        }
        ip("link", "del", bridge());
    }

    private Result ip(String... arguments) {
        List<String> command = new ArrayList<>(admin);
        command.add(IP.toString());
        command.addAll(List.of(arguments));
        return exec(command);
    }

    private record Result(List<String> command, int exitCode, String output) {
        void check() {
            if (exitCode != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + exitCode + "): " + output);
            }
        }
    }

    private static String output(List<String> command) {
        return exec(command).output();
    }

    private static Result exec(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(command, -1, "timed out");
            }
            return new Result(command, process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(command, -1, e.getMessage()); // e.g. no sudo
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
