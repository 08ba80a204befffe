package io.shoal.bench;

import com.typesafe.config.ConfigFactory;
import picocli.CommandLine;

import java.time.Duration;

/** Accepts durations as HOCON writes them: 500ms, 10s, 2m. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    @Override
    public Duration convert(String value) {
        return ConfigFactory.parseString("d = \"" + value + "\"").getDuration("d");
    }
}
