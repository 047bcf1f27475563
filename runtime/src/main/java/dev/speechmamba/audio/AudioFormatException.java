package dev.speechmamba.audio;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An audio file that cannot be decoded: truncated, corrupt, empty or in an unsupported format. The message
 * always names the file and the problem, so a bad file in a corpus of thousands can be found.
 */
public final class AudioFormatException extends IOException {

    private final Path file;

    public AudioFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public AudioFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be decoded. */
    public Path file() { return file; }
}
