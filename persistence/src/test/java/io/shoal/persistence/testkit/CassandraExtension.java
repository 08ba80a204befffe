package io.shoal.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Gives a test class a real Cassandra and a keyspace of its own:
 *
 * <pre>{@code @RegisterExtension static final CassandraExtension cassandra = new CassandraExtension();}</pre>
 *
 * <p>The Cassandra is, in order of preference: the one at {@code SHOAL_TEST_CASSANDRA=host:port};
 * a Testcontainers one when a Docker engine is available; else Cassandra 5.0 forked into a JVM of
 * its own (see {@link ForkedCassandra}). It is started on first use, shared by every test class of
 * the test JVM and stopped when the JVM's tests end. Each test class gets a fresh keyspace, created
 * before its first test and dropped after its last.
 */
public final class CassandraExtension implements BeforeAllCallback, AfterAllCallback {

    public static final String LOCAL_DATACENTER = "datacenter1";

    private static final Logger LOG = LoggerFactory.getLogger(CassandraExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(CassandraExtension.class);
    private static final int MAX_KEYSPACE_LENGTH = 48;

    private Class<?> testClass;
    private CassandraServer server;
    private String keyspace;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (testClass != null) {
            return; // a @Nested class shares its enclosing class's keyspace
        }
        server = context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(
                CassandraServer.class, key -> startServerForThisJvm(), CassandraServer.class);
        testClass = context.getRequiredTestClass();
        keyspace = keyspaceName(testClass);
        try (CqlSession session = FixtureSessions.builder(contactPoint()).build()) {
            session.execute("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getRequiredTestClass() != testClass) {
            return;
        }
        // A test that stopped the server and failed before starting it must not take it from the
        // test classes after it.
        if (!server.running()) {
            server.start();
        }
        try (CqlSession session = FixtureSessions.builder(contactPoint()).build()) {
            session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
        }
    }

    /** This test class's keyspace: its name, lower case, with a random suffix; at most 48 chars. */
    public String keyspace() {
        return requireStarted(keyspace);
    }

    /** {@code host:port} of Cassandra's CQL port, e.g. for SHOAL_CASSANDRA_CONTACT_POINTS. */
    public String contactPoint() {
        return requireStarted(server).contactPoint();
    }

    public String localDatacenter() {
        return LOCAL_DATACENTER;
    }

    /** A new session on this class's keyspace; the caller closes it. */
    public CqlSession openSession() {
        return FixtureSessions.builder(contactPoint()).withKeyspace(keyspace()).build();
    }

    /**
     * Stops Cassandra (SIGTERM: it drains, then exits) and waits until it has exited; its data
     * survives. Aborts the test when the server is external or a container.
     */
    public void stopServer() {
        requireStarted(server).stop();
    }

    /** Starts Cassandra again on the same data and ports; returns once CQL answers. */
    public void startServer() {
        requireStarted(server).start();
    }

    static String keyspaceName(Class<?> testClass) {
        // Unique per run, so runs sharing an external Cassandra neither collide nor see leftovers.
        String suffix = "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
        String name = testClass.getName().substring(testClass.getPackageName().length() + 1)
                .replaceAll("[^A-Za-z0-9]", "_")
                .toLowerCase(Locale.ROOT);
        return name.substring(0, Math.min(name.length(), MAX_KEYSPACE_LENGTH - suffix.length())) + suffix;
    }

    private static CassandraServer startServerForThisJvm() {
        String external = System.getenv("SHOAL_TEST_CASSANDRA");
        if (external != null && !external.isBlank()) {
            LOG.info("Using the Cassandra at {} (SHOAL_TEST_CASSANDRA)", external);
            return new ExternalCassandra(external.strip());
        }
        if (DockerClientFactory.instance().isDockerAvailable()) {
            return ContainerCassandra.launch();
        }
        LOG.info("No Docker engine: forking a Cassandra JVM");
        return ForkedCassandra.launch();
    }

    private static <T> T requireStarted(T value) {
        if (value == null) {
            throw new IllegalStateException("CassandraExtension is used before its beforeAll;"
                    + " register it with @RegisterExtension on a static field");
        }
        return value;
    }
}
