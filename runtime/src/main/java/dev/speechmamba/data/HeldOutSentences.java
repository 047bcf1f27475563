package dev.speechmamba.data;

import dev.speechmamba.text.TextNormalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Sentences that a new corpus must not speak because other corpora evaluate on them (synth-corpus
 * --exclude-sentences, and the sentence list that ci/gpu/pack-tts.sh carries to a GPU machine). The sentence pools
 * are finite, so a corpus synthesized with another seed draws many evaluation sentences again; a model trained on it
 * would then be scored partly on text it has heard.
 *
 * <p>Read from a manifest ({@code *.jsonl}: every utterance's text, and the text of each segment of a long
 * recording; a file of another name whose first line is a JSON object is read as a manifest too) or from a text
 * file (one sentence per line, {@code #} comments). Texts are compared after
 * {@link TextNormalizer#normalize}, the form the sentence sources and manifests both hold.
 */
public final class HeldOutSentences {
    private HeldOutSentences() { }

    /** The normalized sentences the files hold out; every file must hold at least one. */
    public static Set<String> read(List<Path> files) throws IOException {
        return HeldOutFiles.union(files, "held-out sentences", "holds no sentence", HeldOutSentences::readOne);
    }

    private static Set<String> readOne(Path file) throws IOException {
        Set<String> held = new HashSet<>();
        List<String> lines = file.getFileName().toString().endsWith(".jsonl") ? null
                : Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines == null || startsLikeManifest(lines)) {
            held.addAll(ofEntries(Manifest.read(file)));
        } else {
            for (String line : lines) {
                if (!line.strip().startsWith("#")) add(line, held);
            }
        }
        return held;
    }

    /** The normalized texts of manifest entries, and of each segment of a long recording. */
    static Set<String> ofEntries(List<ManifestEntry> entries) {
        Set<String> held = new HashSet<>();
        for (ManifestEntry e : entries) {
            add(e.text(), held);
            if (e.segments() != null) for (ManifestEntry.Segment s : e.segments()) add(s.text(), held);
        }
        return held;
    }

    /**
     * A manifest under another name ({@code test.json}, {@code eval.manifest}) read as a sentence list would hold
     * out its JSON lines, that is nothing, without a word; its first line gives it away.
     */
    private static boolean startsLikeManifest(List<String> lines) {
        for (String line : lines) {
            String t = line.strip();
            if (!t.isEmpty() && !t.startsWith("#")) return t.startsWith("{");
        }
        return false;
    }

    /** {@code sentences} without the held-out ones, in their order. */
    public static List<String> without(List<String> sentences, Set<String> held) {
        if (held.isEmpty()) return sentences;
        List<String> kept = new ArrayList<>(sentences.size());
        for (String s : sentences) if (!holds(held, s)) kept.add(s);
        return kept;
    }

    /** Whether {@code text} is one of the held-out sentences {@link #read} returned. */
    public static boolean holds(Set<String> held, String text) {
        return !held.isEmpty() && text != null && held.contains(TextNormalizer.normalize(text));
    }

    private static void add(String text, Set<String> held) {
        if (text == null) return;
        String normalized = TextNormalizer.normalize(text);
        if (!normalized.isEmpty()) held.add(normalized);
    }
}
