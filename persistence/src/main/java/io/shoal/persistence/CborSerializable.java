package io.shoal.persistence;

/**
 * Marks the messages between nodes, which Akka serializes with Jackson CBOR (bound in this module's
 * reference.conf). What is stored implements {@link Stored} instead, which gives it explicit names
 * and a version.
 */
public interface CborSerializable {
}
