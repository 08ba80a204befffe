package io.shoal.persistence;

/**
 * Marks the types that Akka serializes with Jackson CBOR: journaled events, snapshots and messages
 * between nodes. Bound in this module's reference.conf; see docs/persistence.md for evolving them.
 */
public interface CborSerializable {
}
