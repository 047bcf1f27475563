package dev.speechmamba.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The checks every held-out list shares ({@link HeldOutVoices}, {@link HeldOutSentences}): each file must exist and
 * hold at least one item, since an empty or mistyped file would silently hold nothing out.
 */
final class HeldOutFiles {
    private HeldOutFiles() { }

    /** Reads the items of one file; the file exists when it is called. */
    interface ItemReader {
        Set<String> read(Path file) throws IOException;
    }

    /**
     * The union of the items of {@code files}.
     *
     * @param what  the list's name in errors ("held-out voices")
     * @param empty what an empty file lacks, in errors ("names no voice")
     */
    static Set<String> union(List<Path> files, String what, String empty, ItemReader reader) throws IOException {
        Set<String> all = new TreeSet<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException(what + ": " + file + " is not a file");
            Set<String> items = reader.read(file);
            if (items.isEmpty()) throw new IllegalArgumentException(what + ": " + file + " " + empty);
            all.addAll(items);
        }
        return all;
    }
}
