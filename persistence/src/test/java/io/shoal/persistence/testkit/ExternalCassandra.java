package io.shoal.persistence.testkit;

import org.opentest4j.TestAbortedException;

/** A Cassandra someone else runs, named by {@code SHOAL_TEST_CASSANDRA=host:port}. */
final class ExternalCassandra implements CassandraServer {

    private final String contactPoint;

    ExternalCassandra(String contactPoint) {
        this.contactPoint = contactPoint;
    }

    @Override
    public String contactPoint() {
        return contactPoint;
    }

    @Override
    public boolean running() {
        return true;
    }

    @Override
    public void stop() {
        throw new TestAbortedException("cannot stop the external Cassandra at " + contactPoint);
    }

    @Override
    public void start() {
        throw new TestAbortedException("cannot start the external Cassandra at " + contactPoint);
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
