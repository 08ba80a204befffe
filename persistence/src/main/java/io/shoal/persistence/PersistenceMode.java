package io.shoal.persistence;

import com.typesafe.config.Config;

/** Where sessions (and, later, retained messages) are stored. */
public enum PersistenceMode {
    /** Nothing survives a restart. The default for a single node. */
    MEMORY;

    /** The Akka persistence settings of this mode, to put in front of the node's Akka configuration. */
    public Config akkaConfig(Config reference) {
        return reference.getConfig("shoal-internal.memory-persistence");
    }
}
