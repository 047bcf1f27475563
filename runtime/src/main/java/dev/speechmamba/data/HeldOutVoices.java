package dev.speechmamba.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Voices that a new corpus must not use because other corpora evaluate on them, so that a model trained on the new
 * corpus still meets those evaluation voices for the first time (synth-corpus --exclude-voices). A run that
 * synthesizes fresh data on another machine would otherwise draw some of the held-out accent+variant pairs again.
 *
 * <p>Read from three kinds of file: a synth-corpus summary ({@code corpus.json}: the voices of its valid and test
 * splits, the held-out ones; its train voices are not held out), a manifest ({@code *.jsonl}: the {@code voice} of
 * every line, e.g. an evaluation set), or a list ({@code engine:name} per line, {@code #} comments).
 */
public final class HeldOutVoices {
    private HeldOutVoices() { }

    /** The voice ids ({@code engine:name}) the files hold out; every file must name at least one. */
    public static Set<String> read(List<Path> files) throws IOException {
        return HeldOutFiles.union(files, "held-out voices", "names no voice", HeldOutVoices::readOne);
    }

    private static Set<String> readOne(Path file) throws IOException {
        String name = file.getFileName().toString();
        Set<String> ids = new TreeSet<>();
        if (name.endsWith(".json")) {
            JsonNode splits = new ObjectMapper().readTree(file.toFile()).path("splits");
            if (!splits.isObject()) throw new IllegalArgumentException("held-out voices: " + file + " has no \"splits\" (not a synth-corpus corpus.json)");
            for (String split : List.of("valid", "test")) for (JsonNode v : splits.path(split).path("voices")) ids.add(checked(v.asText(), file));
            if (ids.isEmpty() && !splits.path("train").path("voices").isEmpty()) {
                // an evaluation set made with --all-train puts every voice in train, which a corpus.json never holds out
                throw new IllegalArgumentException("held-out voices: " + file + " holds out no voice: its valid and test splits "
                        + "are empty, and a corpus.json's train voices are not held out (a corpus made with --all-train, such as "
                        + "an evaluation set: give its manifest, " + file.toAbsolutePath().resolveSibling("train.jsonl") + ", instead)");
            }
        } else if (name.endsWith(".jsonl")) {
            List<ManifestEntry> entries = Manifest.read(file);
            for (int i = 0; i < entries.size(); i++) {
                String voice = entries.get(i).voice();
                if (voice == null) {
                    throw new IllegalArgumentException("held-out voices: " + file + " utterance " + (i + 1) + " has no \"voice\"");
                }
                ids.add(checked(voice, file));
            }
        } else {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) ids.add(checked(t, file));
            }
        }
        return ids;
    }

    /**
     * Checks held-out files where they are packed (ci/gpu/pack-tts.sh), so that an unreadable one fails there and not
     * on the machine the corpus is synthesized on: prints how many voices the files hold out, or the problem.
     */
    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: HeldOutVoices FILE...  (corpus.json summaries, manifests or voice lists; prints the voices they hold out)");
            System.exit(2);
        }
        try {
            Set<String> voices = read(java.util.Arrays.stream(args).map(Path::of).toList());
            System.out.printf(java.util.Locale.ROOT, "%d held-out voices from %d files%n", voices.size(), args.length);
        } catch (IOException | RuntimeException e) {
            System.err.println("HeldOutVoices: " + e.getMessage());
            System.exit(1);
        }
    }

    private static String checked(String id, Path file) {
        int colon = id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1 || id.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("held-out voices: " + file + ": '" + id + "' is not a voice id (engine:name)");
        }
        return id;
    }
}
