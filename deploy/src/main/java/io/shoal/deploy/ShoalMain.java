package io.shoal.deploy;

/**
 * {@code java -jar shoal.jar [config-file]}: starts one broker node with shoal.conf, the optional
 * file and SHOAL_* environment variables; runs until the JVM is told to stop.
 */
public final class ShoalMain {

    private static final int EXIT_BAD_CONFIGURATION = 2;
    private static final int EXIT_START_FAILED = 1;

    private ShoalMain() {
    }

    public static void main(String[] args) throws Exception {
        ShoalConfig config;
        ShoalSettings settings;
        try {
            config = ShoalConfig.load(System.getenv(), args.length > 0 ? args[0] : null);
            settings = config.settings();
        } catch (ConfigurationException e) {
            System.err.println("Shoal cannot start: " + e.getMessage());
            System.exit(EXIT_BAD_CONFIGURATION);
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
    }
}
