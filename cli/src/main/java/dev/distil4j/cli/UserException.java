package dev.distil4j.cli;

/** Bad input from the user: reported as one line, exit code 2. */
final class UserException extends RuntimeException {
    UserException(String message) {
        super(message);
    }
}
