package dev.speechmamba.train;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read or written; the message names the file and the problem. */
public final class SafetensorsException extends IOException {

    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
