package io.shoal.deploy;

import io.shoal.cluster.ClusterSettings;
import io.shoal.cluster.session.SessionSettings;
import io.shoal.node.protocol.MqttSettings;
import io.shoal.persistence.PersistenceMode;
import io.shoal.persistence.cassandra.CassandraSettings;

/**
 * Every setting of a node, validated.
 *
 * @param healthPort HTTP port of the health endpoints; 0 picks a free one, -1 turns them off
 */
public record ShoalSettings(String mqttHost, int mqttPort, int ioThreads, MqttSettings mqtt, SessionSettings session,
                           PersistenceMode persistence, CassandraSettings cassandra, ClusterSettings cluster,
                            int healthPort) {
}
