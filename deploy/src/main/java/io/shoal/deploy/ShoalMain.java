package io.shoal.deploy;

import akka.actor.CoordinatedShutdown;

import java.util.Arrays;
import java.util.List;

/**
 * {@code java -jar shoal.jar [config-file]}: starts one broker node with shoal.conf, the optional
 * file and SHOAL_* environment variables; runs until the JVM is told to stop.
 * {@code java -jar shoal.jar schema print|apply [config-file]}: Shoal's Cassandra schema (see
 * {@link SchemaCommand}).
 */
public final class ShoalMain {

    private static final int EXIT_BAD_CONFIGURATION = 2;
    private static final int EXIT_START_FAILED = 1;
    private static final int EXIT_REMOVED_FROM_CLUSTER = 3;
    private static final String USAGE = "usage: java -jar shoal.jar [config-file]\n"
            + "       java -jar shoal.jar schema print|apply [config-file]";

    private ShoalMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = Arrays.asList(args);
        boolean schema = !arguments.isEmpty() && arguments.get(0).equals("schema");
        List<String> rest = schema ? arguments.subList(Math.min(2, arguments.size()), arguments.size()) : arguments;
        if (rest.size() > 1 || (schema && (arguments.size() < 2 || !List.of("print", "apply").contains(arguments.get(1))))) {
            System.err.println(USAGE);
            System.exit(EXIT_BAD_CONFIGURATION);
            return;
        }
        ShoalConfig config;
        ShoalSettings settings;
        try {
            config = ShoalConfig.load(System.getenv(), rest.isEmpty() ? null : rest.get(0));
            settings = config.settings();
        } catch (ConfigurationException e) {
            System.err.println("Shoal cannot start: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIGURATION);
            return;
        }
        if (schema) {
            try {
                SchemaCommand.run(arguments.get(1), settings.cassandra(), System.out);
            } catch (Exception e) {
                System.err.println("Shoal cannot " + arguments.get(1) + " the schema at "
                        + settings.cassandra().describe() + ": " + e);
                System.exit(EXIT_START_FAILED);
            }
            return;
        }
        ShoalNode node;
        try {
            node = ShoalNode.start(settings, config.config());
        } catch (Exception e) {
            System.err.println("Shoal cannot start: " + e);
            System.exit(EXIT_START_FAILED);
            return;
        }
        node.whenTerminated().join();
        if (node.shutdownReason().filter(r -> r == CoordinatedShutdown.clusterDowningReason()).isPresent()) {
            // Not asked to stop: the cluster removed this node (a partition, or it was unreachable).
            // Exiting with an error lets its supervisor (Kubernetes, systemd) start it again to rejoin.
            System.err.println("Shoal stopped: this node was removed from the cluster");
            System.exit(EXIT_REMOVED_FROM_CLUSTER);
        }
    }
}
