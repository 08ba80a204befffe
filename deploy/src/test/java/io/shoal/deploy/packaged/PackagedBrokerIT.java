package io.shoal.deploy.packaged;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runnable artifact as the README runs it ({@code java -jar deploy/target/shoal.jar}), used by
 * Debian's mosquitto_pub / mosquitto_sub (installed by .ci/run) and by Paho.
 */
class PackagedBrokerIT {

    private static BrokerProcess broker;
    private static int port;

    @BeforeAll
    static void startTheJar() throws Exception {
        port = BrokerProcess.freePort();
        broker = BrokerProcess.launchListening(Map.of("SHOAL_MQTT_PORT", String.valueOf(port),
                "SHOAL_MQTT_HOST", "127.0.0.1", "SHOAL_CLUSTER_PORT", "0", "SHOAL_HEALTH_PORT", "0"), port);
    }

    /** Every mosquitto client a test started; a failed test must not leave them behind. */
    private static final List<Process> clients = new java.util.concurrent.CopyOnWriteArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void stopClients() {
        clients.forEach(Process::destroyForcibly);
        clients.clear();
    }

    @AfterAll
    static void stopTheJar() throws Exception {
        broker.process().destroy(); // SIGTERM: Akka's coordinated shutdown closes listeners, connections, cluster
        assertTrue(broker.process().waitFor(30, TimeUnit.SECONDS), "broker did not stop on SIGTERM");
    }

    @Test
    void pahoPublishesAndSubscribesThroughTheJar() throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "it-paho", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        client.connect(options);
        List<String> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.subscribe("it/paho", 1, (topic, message) -> received.add(new String(message.getPayload())));
        client.publish("it/paho", "through the jar".getBytes(), 1, false);
        await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("through the jar"));
        client.disconnect();
    }

    @Test
    void mosquittoClientsAtEachQos() throws Exception {
        assumeMosquittoClients();
        Cli sub = Cli.start(port, "mosquitto_sub", "-d", "-t", "it/qos/#", "-q", "2", "-C", "3", "-v");
        sub.awaitOutput("received SUBACK");
        for (int qos = 0; qos <= 2; qos++) {
            Cli.run(port, "mosquitto_pub", "-t", "it/qos/" + qos, "-m", "qos " + qos, "-q", String.valueOf(qos));
        }
        sub.awaitExit();
        for (int qos = 0; qos <= 2; qos++) {
            assertTrue(sub.output().contains("it/qos/" + qos + " qos " + qos), sub.output());
        }
    }

    @Test
    void mosquittoClientsRetainedMessage() throws Exception {
        assumeMosquittoClients();
        Cli.run(port, "mosquitto_pub", "-t", "it/retained", "-m", "kept", "-r", "-q", "1");
        Cli sub = Cli.start(port, "mosquitto_sub", "-t", "it/retained", "-C", "1", "-F", "%t %p retain=%r");
        sub.awaitExit();
        assertEquals("it/retained kept retain=1", sub.output().trim());
    }

    @Test
    void mosquittoClientsWillMessage() throws Exception {
        assumeMosquittoClients();
        Cli watcher = Cli.start(port, "mosquitto_sub", "-d", "-t", "it/will/#", "-q", "1", "-C", "1", "-v");
        watcher.awaitOutput("received SUBACK");
        Cli device = Cli.start(port, "mosquitto_sub", "-d", "-t", "it/device/in", "-i", "it-device", "-k", "60",
                "--will-topic", "it/will/device", "--will-payload", "device gone", "--will-qos", "1");
        device.awaitOutput("received SUBACK");
        device.process().destroyForcibly(); // SIGKILL: the connection ends without DISCONNECT
        watcher.awaitExit();
        assertTrue(watcher.output().contains("it/will/device device gone"), watcher.output());
    }

    @Test
    void invalidSettingStopsStartUpNamingIt() throws Exception {
        BrokerProcess bad = BrokerProcess.launch(Map.of("SHOAL_MQTT_PORT", "not-a-port", "SHOAL_CLUSTER_PORT", "0", "SHOAL_HEALTH_PORT", "0"));
        assertTrue(bad.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(2, bad.process().exitValue());
        String out = bad.output();
        assertTrue(out.contains("SHOAL_MQTT_PORT") && out.contains("shoal.mqtt.port"), out);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    private static void assumeMosquittoClients() {
        assumeTrue(new File("/usr/bin/mosquitto_pub").canExecute() && new File("/usr/bin/mosquitto_sub").canExecute(),
                "mosquitto-clients not installed (.ci/run installs them)");
    }

    /** A mosquitto command-line client against the broker, its output going to a file. */
    private record Cli(Process process, Path out) {
        static Cli start(int port, String... command) throws IOException {
            List<String> args = new ArrayList<>(List.of(command));
            args.addAll(1, List.of("-h", "127.0.0.1", "-p", String.valueOf(port)));
            args.addAll(0, List.of("stdbuf", "-oL")); // line-buffered, so progress is visible while it runs
            Path out = Files.createTempFile("mosquitto", ".out");
            out.toFile().deleteOnExit();
            Process process = new ProcessBuilder(args).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            clients.add(process);
            return new Cli(process, out);
        }

        static void run(int port, String... command) throws Exception {
            Cli cli = start(port, command);
            cli.awaitExit();
            assertEquals(0, cli.process().exitValue(), cli.output());
        }

        String output() throws IOException {
            return Files.readString(out);
        }

        void awaitOutput(String text) {
            await().atMost(Duration.ofSeconds(10)).until(() -> output().contains(text));
        }

        void awaitExit() throws Exception {
            assertTrue(process.waitFor(15, TimeUnit.SECONDS), String.join(" ", process.info().arguments()
                    .map(List::of).orElse(List.of())) + " did not finish: " + output());
        }
    }
}
