package io.shoal.node.codec;

/** Passed up the pipeline when the first packet is a CONNECT for a protocol other than MQTT. */
public record UnknownProtocol(String protocolName) {
}
