package io.shoal.deploy;

/** A setting that stops start-up; the message names the setting and how it was set. */
public final class ConfigurationException extends RuntimeException {

    public ConfigurationException(String message) {
        super(message);
    }
}
