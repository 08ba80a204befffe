package io.shoal.deploy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShoalConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ShoalSettings s = ShoalConfig.load(Map.of(), null).settings();
        assertEquals(1883, s.mqttPort());
        assertEquals("0.0.0.0", s.mqttHost());
        assertEquals(1024 * 1024, s.mqtt().maxPacketSize());
        assertEquals(32, s.mqtt().maxInflight());
        assertEquals(1000, s.mqtt().maxQueued());
        assertEquals(2, s.mqtt().maxQos());
        assertFalse(s.mqtt().queueQos0Offline());
        assertEquals(Duration.ofSeconds(10), s.mqtt().connectTimeout());
        assertEquals(25520, s.cluster().port());
        assertEquals(List.of(), s.cluster().seedNodes(), "a cluster of its own");
        assertEquals("keep-majority", s.cluster().downing());
        assertEquals(8558, s.healthPort());
        assertEquals(io.shoal.persistence.PersistenceMode.MEMORY, s.persistence());
    }

    @Test
    void everySettingCanBeOverriddenByItsEnvironmentVariable() {
        ShoalSettings s = ShoalConfig.load(Map.of(
                "SHOAL_MQTT_PORT", "11883",
                "SHOAL_MQTT_HOST", "127.0.0.2",
                "SHOAL_MQTT_MAX_PACKET_SIZE", "2 KiB",
                "SHOAL_MQTT_MAX_INFLIGHT", "7",
                "SHOAL_MQTT_QUEUE_QOS0_OFFLINE", "true",
                "SHOAL_MQTT_CONNECT_TIMEOUT", "3s",
                "SHOAL_SESSION_SNAPSHOT_EVERY", "25",
                "SHOAL_PERSISTENCE", "MEMORY",
                "SHOAL_CLUSTER_HOST", "node-1.shoal",
                "SHOAL_CLUSTER_PORT", "2552"), null).settings();
        assertEquals(11883, s.mqttPort());
        assertEquals("127.0.0.2", s.mqttHost());
        assertEquals(2048, s.mqtt().maxPacketSize());
        assertEquals(7, s.mqtt().maxInflight());
        assertTrue(s.mqtt().queueQos0Offline());
        assertEquals(Duration.ofSeconds(3), s.mqtt().connectTimeout());
        assertEquals(25, s.session().snapshotEvery());
        assertEquals("node-1.shoal", s.cluster().host());
        assertEquals(2552, s.cluster().port());
    }

    @Test
    void threeNodesOnOneMachineNeedOnlyEnvironmentVariables() {
        ShoalSettings s = ShoalConfig.load(Map.of(
                "SHOAL_PERSISTENCE", "cassandra",
                "SHOAL_CLUSTER_PORT", "25521",
                "SHOAL_CLUSTER_SEED_NODES", "node-0.shoal:2552, node-1.shoal:2552",
                "SHOAL_CLUSTER_SPLIT_BRAIN_RESOLVER_STRATEGY", "keep-oldest",
                "SHOAL_CLUSTER_SPLIT_BRAIN_RESOLVER_STABLE_AFTER", "7s",
                "SHOAL_HEALTH_PORT", "9558"), null).settings();
        assertEquals(25521, s.cluster().port());
        assertEquals(List.of("node-0.shoal:2552", "node-1.shoal:2552"), s.cluster().seedNodes());
        assertEquals("keep-oldest", s.cluster().downing());
        assertEquals(Duration.ofSeconds(7), s.cluster().stableAfter());
        assertEquals(9558, s.healthPort());
    }

    @Test
    void badClusterSettingsAreNamed() {
        ConfigurationException seeds = assertThrows(ConfigurationException.class, () -> ShoalConfig.load(
                Map.of("SHOAL_CLUSTER_SEED_NODES", "node-0.shoal", "SHOAL_PERSISTENCE", "cassandra"), null).settings());
        assertTrue(seeds.getMessage().contains("shoal.cluster.seed-nodes"), seeds.getMessage());
        assertTrue(seeds.getMessage().contains("SHOAL_CLUSTER_SEED_NODES"), seeds.getMessage());
        ConfigurationException inMemory = assertThrows(ConfigurationException.class, () -> ShoalConfig.load(
                Map.of("SHOAL_CLUSTER_SEED_NODES", "node-0.shoal:2552"), null).settings());
        assertTrue(inMemory.getMessage().contains("shoal.cluster.seed-nodes"), inMemory.getMessage());
        assertTrue(inMemory.getMessage().contains("shoal.persistence = cassandra"), inMemory.getMessage());
        ConfigurationException downing = assertThrows(ConfigurationException.class, () -> ShoalConfig.load(
                Map.of("SHOAL_CLUSTER_SPLIT_BRAIN_RESOLVER_STRATEGY", "keep-everything"), null).settings());
        assertTrue(downing.getMessage().contains("shoal.cluster.split-brain-resolver.strategy"), downing.getMessage());
        assertTrue(downing.getMessage().contains("keep-majority"), downing.getMessage());
    }

    @Test
    void variableNamesFollowTheSettingPath() {
        assertEquals("SHOAL_MQTT_PORT", ShoalConfig.variableFor("shoal.mqtt.port"));
        assertEquals("SHOAL_MQTT_MAX_QUEUED_MESSAGES", ShoalConfig.variableFor("shoal.mqtt.max-queued-messages"));
        assertEquals("SHOAL_PERSISTENCE", ShoalConfig.variableFor("shoal.persistence"));
    }

    @Test
    void nonNumericPortNamesTheSettingAndTheVariable() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ShoalConfig.load(Map.of("SHOAL_MQTT_PORT", "abc"), null).settings());
        assertTrue(e.getMessage().contains("shoal.mqtt.port"), e.getMessage());
        assertTrue(e.getMessage().contains("SHOAL_MQTT_PORT"), e.getMessage());
        assertTrue(e.getMessage().contains("abc"), e.getMessage());
    }

    @Test
    void outOfRangeValuesAreRefused() {
        assertRefused(Map.of("SHOAL_MQTT_PORT", "70000"), "shoal.mqtt.port");
        assertRefused(Map.of("SHOAL_MQTT_MAX_QOS", "3"), "shoal.mqtt.max-qos");
        assertRefused(Map.of("SHOAL_MQTT_MAX_INFLIGHT", "0"), "shoal.mqtt.max-inflight");
        assertRefused(Map.of("SHOAL_MQTT_MAX_PACKET_SIZE", "1 GiB"), "shoal.mqtt.max-packet-size");
        assertRefused(Map.of("SHOAL_MQTT_CONNECT_TIMEOUT", "0s"), "shoal.mqtt.connect-timeout");
        assertRefused(Map.of("SHOAL_MQTT_CONNECT_TIMEOUT", "soon"), "shoal.mqtt.connect-timeout");
        assertRefused(Map.of("SHOAL_MQTT_QUEUE_QOS0_OFFLINE", "perhaps"), "shoal.mqtt.queue-qos0-offline");
        assertRefused(Map.of("SHOAL_PERSISTENCE", "floppy"), "shoal.persistence");
        assertRefused(Map.of("SHOAL_CLUSTER_HOST", " "), "shoal.cluster.host");
    }

    @Test
    void operatorFileOverridesDefaultsAndEnvironmentOverridesTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my.conf");
        Files.writeString(file, "shoal.mqtt { port = 2883, max-inflight = 5 }");
        ShoalSettings s = ShoalConfig.load(Map.of("SHOAL_MQTT_PORT", "3883"), file.toString()).settings();
        assertEquals(3883, s.mqttPort());
        assertEquals(5, s.mqtt().maxInflight());
    }

    @Test
    void unknownSettingInTheOperatorFileIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("typo.conf");
        Files.writeString(file, "shoal.mqtt.prot = 1884");
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ShoalConfig.load(Map.of(), file.toString()));
        assertTrue(e.getMessage().contains("shoal.mqtt.prot"), e.getMessage());
    }

    @Test
    void missingOperatorFileIsReported() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ShoalConfig.load(Map.of("SHOAL_CONFIG_FILE", "/nonexistent/shoal.conf"), null));
        assertTrue(e.getMessage().contains("/nonexistent/shoal.conf"), e.getMessage());
    }

    private static void assertRefused(Map<String, String> env, String setting) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> ShoalConfig.load(env, null).settings(), setting);
        assertTrue(e.getMessage().contains(setting), e.getMessage());
    }
}
