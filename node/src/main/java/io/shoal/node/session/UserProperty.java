package io.shoal.node.session;

/** An MQTT 5 user property: a name/value pair carried through unchanged. */
public record UserProperty(String name, String value) {
}
