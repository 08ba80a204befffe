package io.shoal.persistence.stored;

import akka.serialization.Serialization;
import akka.serialization.Serializer;
import akka.serialization.Serializers;

/** What a journal stores of a value: the bytes with the serializer id and manifest to read them with. */
record Serialized(int serializerId, String manifest, byte[] bytes) {

    static Serialized of(Serialization serialization, Object value) {
        Serializer serializer = serialization.findSerializerFor(value);
        return new Serialized(serializer.identifier(), Serializers.manifestFor(serializer, value),
                serialization.serialize(value).get());
    }

    Object deserialize(Serialization serialization) {
        return serialization.deserialize(bytes, serializerId, manifest).get();
    }
}
