package io.shoal.node.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may connect. May complete asynchronously (a directory lookup) and on
 * any thread. The default accepts everyone; real authenticators plug in here.
 */
public interface Authenticator {

    Authenticator ALLOW_ALL = credentials -> CompletableFuture.completedFuture(AuthResult.ACCEPTED);

    CompletionStage<AuthResult> authenticate(Credentials credentials);
}
