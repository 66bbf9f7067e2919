package dev.distil4j.model;

/** A config.json that cannot be used; the message names the file and the key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
