package io.shoal.persistence.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The {@code java} to run Cassandra 5.0 with: it needs JDK 17 (on 25 it fails with "Setting a
 * system-wide Policy object is not supported"). The running JVM's own if that is 17, else a JDK 17
 * installed beside it (as in /usr/lib/jvm), recognised by its {@code release} file.
 */
final class JavaForCassandra {

    private static final int FEATURE_VERSION = 17;

    private JavaForCassandra() {}

    static Path executable() throws IOException {
        Path running = Path.of(System.getProperty("java.home"));
        if (Runtime.version().feature() == FEATURE_VERSION) {
            return running.resolve("bin/java");
        }
        try (Stream<Path> jdks = Files.list(running.getParent())) {
            return jdks.filter(JavaForCassandra::isJdk17)
                    .map(jdk -> jdk.resolve("bin/java"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("Cassandra 5.0 needs JDK 17; this JVM is "
                            + Runtime.version() + " and no JDK 17 is installed in " + running.getParent()));
        }
    }

    private static boolean isJdk17(Path jdk) {
        Path release = jdk.resolve("release");
        try {
            return Files.isRegularFile(release)
                    && Files.readString(release).contains("JAVA_VERSION=\"" + FEATURE_VERSION + ".");
        } catch (IOException e) {
            return false;
        }
    }
}
