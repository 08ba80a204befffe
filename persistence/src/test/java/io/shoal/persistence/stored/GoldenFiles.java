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
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
     * Writes into the test sources the files of {@code version} that are missing: those of a new
     * version, or of a stored type new in the current one. A golden file that exists is never
     * rewritten, since it is what older nodes stored. Returns the files written.
     */
    static List<Path> writeMissing(int version, Map<String, Serialized> files) throws IOException {
        Path directory = SOURCE_DIRECTORY.resolve(directoryName(version));
        Files.createDirectories(directory);
        writeSerializerFile(directory, files.values());
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, Serialized> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey() + EXTENSION);
            if (!Files.exists(path)) {
                Files.write(path, file.getValue().bytes());
                written.add(path);
            }
        }
        return written;
    }

    /** The files of a directory share one serializer id and manifest, recorded once. */
    private static void writeSerializerFile(Path directory, Collection<Serialized> files) throws IOException {
        Serialized first = files.iterator().next();
        for (Serialized file : files) {
            if (file.serializerId() != first.serializerId() || !file.manifest().equals(first.manifest())) {
                throw new IllegalStateException("not all written alike: " + first + ", " + file);
            }
        }
        String content = "# The serializer id and manifest that every file in this directory was written with.\n"
                + "serializer-id=" + first.serializerId() + "\n"
                + "manifest=" + first.manifest() + "\n";
        Path path = directory.resolve(SERIALIZER_FILE);
        if (!Files.exists(path)) {
            Files.writeString(path, content);
        } else if (!Files.readString(path).equals(content)) {
            throw new IllegalStateException(path + " says otherwise than what is written now:\n" + content);
        }
    }

    private static InputStream resource(String path) throws IOException {
        InputStream in = GoldenFiles.class.getResourceAsStream(path);
        if (in == null) {
            throw new IOException("no test resource " + path);
        }
        return in;
    }
}
