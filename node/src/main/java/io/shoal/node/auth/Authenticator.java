package io.shoal.node.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect. May complete asynchronously (a directory lookup) and on
 * any thread. The default accepts everyone and knows no enhanced authentication method; real
 * authenticators plug in here.
 */
public interface Authenticator {

    Authenticator ALLOW_ALL = credentials -> CompletableFuture.completedFuture(AuthResult.ACCEPTED);

    /** User name and password authentication (a CONNECT without an Authentication Method). */
    CompletionStage<AuthResult> authenticate(Credentials credentials);

    /**
     * Starts MQTT 5 enhanced authentication with {@code method}; null if the method is not
     * supported (the client is refused with 0x8C, Bad authentication method).
     */
    default AuthExchange startExchange(String method, Credentials credentials) {
        return null;
    }
}
