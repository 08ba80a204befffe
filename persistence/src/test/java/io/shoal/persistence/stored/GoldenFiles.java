package io.shoal.persistence.stored;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The golden files of one format version: {@code serialized/v<version>/<stored name>.cbor} holds the
 * bytes of one value, and {@code serializer.properties} the serializer id and manifest they were
 * all written with (as a journal row keeps them next to the bytes).
 */
final class GoldenFiles {

    /** Where the writer puts them: the test resources of this module (the working directory of its tests). */
    private static final Path SOURCE_DIRECTORY = Paths.get("src", "test", "resources", "serialized");

    private static final String EXTENSION = ".cbor";
    private static final String SERIALIZER_FILE = "serializer.properties";

    private GoldenFiles() {
    }

    static String directoryName(int version) {
        return "v" + version;
    }

    /** The stored names with a golden file of {@code version}, none if it has no golden files. */
    static Set<String> names(int version) {
        URL url = GoldenFiles.class.getResource("/serialized/" + directoryName(version));
        Set<String> names = new TreeSet<>();
        if (url == null) {
            return names;
        }
        try (Stream<Path> files = Files.list(Paths.get(url.toURI()))) {
            files.map(file -> file.getFileName().toString())
                    .filter(file -> file.endsWith(EXTENSION))
                    .forEach(file -> names.add(file.substring(0, file.length() - EXTENSION.length())));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Serialized read(int version, String name) {
        String directory = "/serialized/" + directoryName(version) + "/";
        try (InputStream bytes = resource(directory + name + EXTENSION);
             Reader serializer = new InputStreamReader(resource(directory + SERIALIZER_FILE),
                     StandardCharsets.UTF_8)) {
            Properties properties = new Properties();
            properties.load(serializer);
            return new Serialized(Integer.parseInt(properties.getProperty("serializer-id")),
                    properties.getProperty("manifest"), bytes.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a new version's directory into the test sources. It must not exist yet: the golden files
     * of a version are never rewritten, they are what older nodes stored.
     */
    static Path write(int version, Map<String, Serialized> files) throws IOException {
        Path directory = SOURCE_DIRECTORY.resolve(directoryName(version));
        if (Files.exists(directory)) {
            throw new IllegalStateException(directory + " already exists: golden files are never rewritten");
        }
        Serialized first = files.values().iterator().next();
        Files.createDirectories(directory);
        for (Map.Entry<String, Serialized> file : files.entrySet()) {
            Serialized serialized = file.getValue();
            if (serialized.serializerId() != first.serializerId() || !serialized.manifest().equals(first.manifest())) {
                throw new IllegalStateException(file.getKey() + " is not written like the others: " + serialized);
            }
            Files.write(directory.resolve(file.getKey() + EXTENSION), serialized.bytes());
        }
        Files.writeString(directory.resolve(SERIALIZER_FILE),
                "# The serializer id and manifest that every file in this directory was written with.\n"
                        + "serializer-id=" + first.serializerId() + "\n"
                        + "manifest=" + first.manifest() + "\n");
        return directory;
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = GoldenFiles.class.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("no test resource " + path);
        }
        return in;
    }
}
