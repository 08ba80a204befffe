package io.shoal.deploy;

import io.shoal.cluster.session.SessionSettings;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.cassandra.CassandraSettings;

/** Every setting of a node, validated. */
public record ShoalSettings(String mqttHost, int mqttPort, int ioThreads, MqttSettings mqtt, SessionSettings session,
                           PersistenceMode persistence, CassandraSettings cassandra, String clusterHost, int clusterPort) {
}
