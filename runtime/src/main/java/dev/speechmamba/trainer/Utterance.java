package dev.speechmamba.trainer;

import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One manifest line made ready for training: where the audio is, which part of it, and its transcript.
 *
 * @param index    position in the manifest (stable identity for seeds and data order)
 * @param audio    the audio file, resolved against the manifest's folder
 * @param offset   seconds into the file where the utterance starts, or null when it is the whole file
 * @param duration seconds, as the manifest states
 * @param text     the reference transcript
 */
public record Utterance(int index, Path audio, Double offset, double duration, String text) {

    /** Reads a NeMo JSONL manifest; an empty manifest is an error naming the file. */
    public static List<Utterance> readManifest(Path manifest) throws IOException {
        return fromEntries(manifest, Manifest.read(manifest));
    }

    /** The utterances of {@code entries}, already read from {@code manifest} (audio paths resolve against it). */
    public static List<Utterance> fromEntries(Path manifest, List<ManifestEntry> entries) throws IOException {
        if (entries.isEmpty()) throw new IOException(manifest + ": the manifest has no utterances");
        List<Utterance> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            ManifestEntry e = entries.get(i);
            if (!(e.duration() > 0)) {
                throw new IOException(manifest + ": line " + (i + 1) + " (" + e.audioFilepath() + ") has duration "
                        + e.duration() + "; durations must be positive for batching");
            }
            out.add(new Utterance(i, Manifest.resolveAudio(manifest, e), e.offset(),
                    e.duration(), e.text()));
        }
        return out;
    }

    /** Durations in manifest order (for {@link DurationBatcher}). */
    public static double[] durations(List<Utterance> utterances) {
        double[] d = new double[utterances.size()];
        for (int i = 0; i < d.length; i++) d[i] = utterances.get(i).duration();
        return d;
    }
}
