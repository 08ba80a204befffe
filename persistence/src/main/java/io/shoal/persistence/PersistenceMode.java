package io.shoal.persistence;

import com.typesafe.config.Config;
import io.shoal.persistence.cassandra.CassandraSettings;

/** Where sessions and retained messages are stored. */
public enum PersistenceMode {
    /** Nothing survives a restart. The default for a single node. */
    MEMORY,
    /** Session journals and snapshots through akka-persistence-cassandra; retained messages in Shoal's own table. */
    CASSANDRA;

    /**
     * The Akka persistence settings of this mode, to put in front of the node's Akka configuration.
     *
     * @param cassandra where Cassandra is; used only by {@link #CASSANDRA}
     */
    public Config akkaConfig(Config reference, CassandraSettings cassandra) {
        return switch (this) {
            case MEMORY -> reference.getConfig("shoal-internal.memory-persistence");
            case CASSANDRA -> cassandra.akkaConfig().withFallback(reference.getConfig("shoal-internal.cassandra-persistence"));
        };
    }
}
