package io.shoal.persistence;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Akka serialization configured exactly as this module's reference.conf configures it, for a test
 * class: {@code @RegisterExtension static final AkkaSerialization akka = new AkkaSerialization();}.
 */
public final class AkkaSerialization implements BeforeAllCallback, AfterAllCallback {

    private ActorTestKit testKit;
    private Serialization serialization;

    @Override
    public void beforeAll(ExtensionContext context) {
        testKit = ActorTestKit.create();
        serialization = SerializationExtension.get(testKit.system().classicSystem());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        testKit.shutdownTestKit();
    }

    public Serialization serialization() {
        return serialization;
    }
}
