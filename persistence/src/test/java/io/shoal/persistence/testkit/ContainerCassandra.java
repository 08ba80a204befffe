package io.shoal.persistence.testkit;

import org.opentest4j.TestAbortedException;
import org.testcontainers.cassandra.CassandraContainer;

/** Cassandra in a Docker container, where a Docker engine is available. */
final class ContainerCassandra implements CassandraServer {

    /** The release persistence/cassandra-server runs when there is no Docker. */
    private static final String IMAGE = "cassandra:5.0.6";

    private final CassandraContainer container;

    private ContainerCassandra(CassandraContainer container) {
        this.container = container;
    }

    static ContainerCassandra launch() {
        CassandraContainer container = new CassandraContainer(IMAGE);
        container.start();
        return new ContainerCassandra(container);
    }

    @Override
    public String contactPoint() {
        return container.getHost() + ":" + container.getContactPoint().getPort();
    }

    @Override
    public boolean running() {
        return true;
    }

    // A stopped container comes back on other host ports, so the contact point would change.
    @Override
    public void stop() {
        throw new TestAbortedException("stopping the Testcontainers Cassandra is not supported");
    }

    @Override
    public void start() {
        throw new TestAbortedException("restarting the Testcontainers Cassandra is not supported");
    }

    @Override
    public void close() {
        container.stop();
    }
}
