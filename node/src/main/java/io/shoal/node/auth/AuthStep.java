package io.shoal.node.auth;

/** One step of an MQTT 5 enhanced authentication exchange, as the broker answers it. */
public sealed interface AuthStep {

    /** Send this data to the client in an AUTH packet and wait for its answer. */
    record Continue(byte[] data) implements AuthStep {
    }

    /** Authenticated; {@code data} (may be null) goes to the client in CONNACK or AUTH. */
    record Success(byte[] data) implements AuthStep {
    }

    /** Refused, for this reason. */
    record Failure(AuthResult reason) implements AuthStep {
    }
}
