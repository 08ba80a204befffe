package io.shoal.persistence.testkit;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.CqlSessionBuilder;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;

/** Builds the driver sessions the fixture opens, tuned for a single test node. */
final class FixtureSessions {

    private FixtureSessions() {}

    static CqlSessionBuilder builder(String contactPoint) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                // The default 1 s debouncer adds a second to every CREATE/DROP.
                .withDuration(DefaultDriverOption.METADATA_SCHEMA_WINDOW, Duration.ofMillis(10))
                // Schema changes on a busy 2-core machine can take longer than the default 2 s.
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(10))
                // Netty's default 2 s quiet period would make every close() take 2 s.
                .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
                .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
                .build();
        int colon = contactPoint.lastIndexOf(':');
        return CqlSession.builder()
                .withConfigLoader(config)
                .addContactPoint(new InetSocketAddress(
                        contactPoint.substring(0, colon), Integer.parseInt(contactPoint.substring(colon + 1))))
                .withLocalDatacenter(CassandraExtension.LOCAL_DATACENTER);
    }
}
