package dev.speechmamba.lm;

import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.text.TextNormalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sentences a language model is trained on: normalized as transcripts are ({@link TextNormalizer}), each once,
 * minus every sentence of the held-out sets, so that an LM never knows a test transcript.
 */
public final class LmText {
    private final Map<String, Integer> sentences = new LinkedHashMap<>(); // sentence -> weight
    private final Set<String> excluded = new LinkedHashSet<>();

    /** Adds sentences (normalized here; empty ones are skipped). */
    public LmText add(Collection<String> raw) { return add(raw, 1); }

    /** Adds sentences that count {@code weight} times; a sentence added twice keeps the larger weight. */
    public LmText add(Collection<String> raw, int weight) {
        if (weight < 1) throw new IllegalArgumentException("LM text weight must be >= 1, got " + weight);
        for (String s : raw) {
            String n = TextNormalizer.normalize(s);
            if (!n.isEmpty()) sentences.merge(n, weight, Math::max);
        }
        return this;
    }

    /** Adds a text file's lines, one sentence each. */
    public LmText addTextFile(Path file) throws IOException { return addTextFile(file, 1); }

    /** Adds a text file's lines, one sentence each, counting {@code weight} times. */
    public LmText addTextFile(Path file, int weight) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("text file " + file + " does not exist");
        return add(Files.readAllLines(file, StandardCharsets.UTF_8), weight);
    }

    /** Adds the transcripts of a manifest (its segments' texts too, for long-form manifests). */
    public LmText addManifest(Path manifest) throws IOException { return addManifest(manifest, 1); }

    /** Adds a manifest's transcripts, counting {@code weight} times. */
    public LmText addManifest(Path manifest, int weight) throws IOException {
        return add(transcripts(manifest), weight);
    }

    /** Sentences of {@code file} (a manifest when it ends in .jsonl or .json, else a text file) never to train on. */
    public LmText exclude(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("held-out file " + file + " does not exist");
        String name = file.getFileName().toString();
        List<String> raw = name.endsWith(".jsonl") || name.endsWith(".json") ? transcripts(file)
                : Files.readAllLines(file, StandardCharsets.UTF_8);
        for (String s : raw) {
            String n = TextNormalizer.normalize(s);
            if (!n.isEmpty()) excluded.add(n);
        }
        return this;
    }

    /** The training sentences: every added sentence not held out. */
    public List<String> sentences() {
        return sentences.keySet().stream().filter(s -> !excluded.contains(s)).toList();
    }

    /** The weight of each of {@link #sentences()}, in its order. */
    public int[] weights() {
        return sentences.entrySet().stream().filter(e -> !excluded.contains(e.getKey())).mapToInt(Map.Entry::getValue).toArray();
    }

    /** Distinct added sentences left out because a held-out set has them. */
    public int droppedForExclusion() { return (int) sentences.keySet().stream().filter(excluded::contains).count(); }

    public int heldOutSentences() { return excluded.size(); }

    /** The held-out sentences themselves (for a perplexity the LM never trained on). */
    public List<String> heldOut() { return List.copyOf(excluded); }

    private static List<String> transcripts(Path manifest) throws IOException {
        List<String> out = new ArrayList<>();
        for (ManifestEntry e : Manifest.read(manifest)) {
            if (e.segments() != null && !e.segments().isEmpty()) {
                for (ManifestEntry.Segment s : e.segments()) out.add(s.text());
            } else {
                out.add(e.text());
            }
        }
        return out;
    }
}
