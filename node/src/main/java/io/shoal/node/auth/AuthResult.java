package io.shoal.node.auth;

/** The outcome of authentication, mapped to the CONNACK return code of the client's protocol level. */
public enum AuthResult {
    ACCEPTED,
    BAD_USERNAME_OR_PASSWORD,
    NOT_AUTHORIZED
}
