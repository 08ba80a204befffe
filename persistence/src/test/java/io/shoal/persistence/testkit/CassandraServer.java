package io.shoal.persistence.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;

/** One Cassandra shared by all test classes of a test JVM; closed when the JVM's tests end. */
interface CassandraServer extends ExtensionContext.Store.CloseableResource {

    /** {@code host:port} of the CQL native transport. */
    String contactPoint();

    /** Whether CQL is being served; false between {@link #stop()} and {@link #start()}. */
    boolean running();

    /** Stops the server, keeping its data and ports. */
    void stop();

    /** Starts the stopped server again on the same data and ports; returns once CQL answers. */
    void start();
}
