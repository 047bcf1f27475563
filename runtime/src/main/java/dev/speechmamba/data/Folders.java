package dev.speechmamba.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing the scratch folders that corpus synthesis and speaker adaptation make. */
public final class Folders {
    private Folders() { }

    /** Deletes {@code dir} and everything under it; nothing happens when it does not exist. */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Deletes everything under {@code dir} and keeps the folder itself. */
    public static void deleteContents(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path p : children.toList()) deleteTree(p);
        }
    }
}
