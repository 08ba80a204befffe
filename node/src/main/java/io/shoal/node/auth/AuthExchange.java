package io.shoal.node.auth;

import java.util.concurrent.CompletionStage;

/** A running MQTT 5 enhanced authentication: each client message gets a step back. */
public interface AuthExchange {

    /** The client's authentication data (from CONNECT, then from each AUTH); may be null. */
    CompletionStage<AuthStep> step(byte[] clientData);
}
