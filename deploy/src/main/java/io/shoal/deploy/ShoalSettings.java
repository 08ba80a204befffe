package io.shoal.deploy;

import io.shoal.cluster.session.SessionSettings;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.persistence.PersistenceMode;

/** Every setting of a node, validated. */
public record ShoalSettings(String mqttHost, int mqttPort, int ioThreads, MqttSettings mqtt, SessionSettings session,
                           PersistenceMode persistence, String clusterHost, int clusterPort) {
}
