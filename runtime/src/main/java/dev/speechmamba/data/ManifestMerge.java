package dev.speechmamba.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Joins training manifests of several corpora into one, keeping evaluation sets clean: every entry whose voice
 * or transcript occurs in a held-out manifest (another corpus's validation or test split) is left out, so that a
 * model trained on the union is still scored on voices and sentences it never heard. Relative audio paths are
 * rewritten relative to the output's folder (the merged manifest moves with the corpora); absolute ones stay.
 * A manifest can also be held out for its sentences only: its voices may then be trained on (with other
 * sentences), while its transcripts stay unheard.
 */
public final class ManifestMerge {
    private ManifestMerge() { }

    /** What happened to one input manifest. */
    public record InputSummary(Path manifest, int kept, int droppedForVoice, int droppedForText, double keptSeconds) { }

    /** The merged manifest and what was kept from each input. */
    public record Summary(Path out, List<InputSummary> inputs, int heldOutVoices, int heldOutTexts) {
        public int kept() { return inputs.stream().mapToInt(InputSummary::kept).sum(); }

        public double keptHours() { return inputs.stream().mapToDouble(InputSummary::keptSeconds).sum() / 3600; }
    }

    /** {@link #merge(List, List, List, Path)} with no manifest held out for its sentences only. */
    public static Summary merge(List<Path> inputs, List<Path> heldOut, Path out) throws IOException {
        return merge(inputs, heldOut, List.of(), out);
    }

    /**
     * Writes the entries of {@code inputs} (in order) that share neither voice nor transcript with any of
     * {@code heldOut}, nor a transcript with any of {@code heldOutSentences} (manifests or sentence lists), to
     * {@code out}. Transcripts compare as {@link HeldOutSentences} does: normalized, and with the segments of a
     * held-out long recording held out one by one. The output is written to a temporary file first and must not be
     * one of the inputs or held-out files, so no manifest the user has is overwritten.
     */
    public static Summary merge(List<Path> inputs, List<Path> heldOut, List<Path> heldOutSentences, Path out)
            throws IOException {
        if (inputs.isEmpty()) throw new IllegalArgumentException("merge-manifests: no input manifest given");
        Path target = out.toAbsolutePath().normalize();
        for (Path p : concat(concat(inputs, heldOut), heldOutSentences)) {
            if (Files.exists(target) && Files.exists(p) && Files.isSameFile(p, target)) {
                throw new IllegalArgumentException(out + ": the output is also an input or held-out manifest; choose another --out");
            }
        }
        Set<String> voices = new HashSet<>();
        Set<String> texts = new HashSet<>(HeldOutSentences.read(heldOutSentences));
        for (Path p : heldOut) { // each read once, for its voices and its texts
            List<ManifestEntry> entries = Manifest.read(p);
            for (ManifestEntry e : entries) if (e.voice() != null) voices.add(e.voice());
            Set<String> held = HeldOutSentences.ofEntries(entries);
            if (held.isEmpty()) throw new IllegalArgumentException("held-out sentences: " + p + " holds no sentence");
            texts.addAll(held);
        }
        Path folder = target.getParent();
        List<ManifestEntry> merged = new ArrayList<>();
        List<InputSummary> summaries = new ArrayList<>();
        for (Path p : inputs) {
            List<ManifestEntry> entries = Manifest.read(p);
            if (entries.isEmpty()) throw new IOException(p + ": the manifest has no entries");
            int kept = 0, byVoice = 0, byText = 0;
            double seconds = 0;
            for (ManifestEntry e : entries) {
                if (e.voice() != null && voices.contains(e.voice())) {
                    byVoice++;
                } else if (HeldOutSentences.holds(texts, e.text())) {
                    byText++;
                } else {
                    Path audio = Manifest.resolveAudio(p, e).toAbsolutePath().normalize();
                    boolean keepAbsolute = Path.of(e.audioFilepath()).isAbsolute() || folder == null;
                    String path = keepAbsolute ? audio.toString() : folder.relativize(audio).toString();
                    merged.add(new ManifestEntry(path, e.duration(), e.text(), e.voice(), e.offset(), e.segments()));
                    kept++;
                    seconds += e.duration();
                }
            }
            summaries.add(new InputSummary(p, kept, byVoice, byText, seconds));
        }
        if (merged.isEmpty()) {
            throw new IllegalArgumentException("merge-manifests: every entry shares a voice or transcript with the held-out "
                    + "manifests; nothing written to " + out);
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Manifest.write(part, merged);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Summary(target, summaries, voices.size(), texts.size());
    }

    private static List<Path> concat(List<Path> a, List<Path> b) {
        List<Path> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
