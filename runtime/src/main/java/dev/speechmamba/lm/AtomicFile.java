package dev.speechmamba.lm;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

/** The LM package's files are written whole or not at all: into a temp file beside the target, then moved over it. */
final class AtomicFile {
    /** Writes the file's bytes to {@code out}; closing what it wraps around {@code out} (gzip's trailer) is its job. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes the file's text to {@code w}. */
    interface TextBody {
        void writeTo(BufferedWriter w) throws IOException;
    }

    private AtomicFile() { }

    /** UTF-8 text, gzip-compressed when the name ends in {@code .gz} (ARPA models, lexicons). */
    static void writeText(Path file, TextBody body) throws IOException {
        write(file, raw -> {
            try (OutputStream out = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw;
                 BufferedWriter w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
                body.writeTo(w);
            }
        });
    }

    static void write(Path file, Body body) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // Not Files.createTempFile: its owner-only permissions would stay on the finished file.
        Path tmp = parent.resolve(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                body.writeTo(out);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
