package dev.speechmamba.data;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavReader;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Builds long recordings by concatenating consecutive utterances (in manifest order) with short silences between
 * them, the way the Speech-Mamba paper builds its 45-60 s long-form sets, plus 10-, 30- and 60-minute sets.
 *
 * <p>Grouping: with {@link VoicePolicy#SINGLE} every recording holds one voice (its utterances in manifest
 * order); with {@link VoicePolicy#SEQUENTIAL} a recording may continue with the next voice (voices in id order,
 * each one's utterances still consecutive) when a voice runs out, which makes minute-long recordings possible
 * from corpora with little audio per voice. Utterances are added greedily; a recording is closed as soon as it
 * reaches {@code minSeconds}; an utterance that would push it past {@code maxSeconds} instead starts a new
 * recording (the unfinished one is dropped). Leftovers shorter than {@code minSeconds} are dropped.
 *
 * <p>Output: 16 kHz mono 16-bit WAVs {@code OUT/NAME/NAME-00001.wav}, a manifest {@code OUT/NAME.jsonl} (one entry
 * per recording: joined transcript and a {@code segments} list with each utterance's offset, duration, text and
 * voice) and {@code OUT/NAME-segments.jsonl} (NeMo-style: one entry per utterance with {@code offset} into its
 * recording).
 */
public final class LongFormBuilder {
    public enum VoicePolicy { SINGLE, SEQUENTIAL }

    /** A named duration range, e.g. {@code 45-60s} or {@code 10min}. */
    public record Target(String name, double minSeconds, double maxSeconds, VoicePolicy policy) {
        public Target {
            if (name == null || !name.matches("[A-Za-z0-9_.-]+")) throw new IllegalArgumentException("long-form set name must be a plain file name, got \"" + name + "\"");
            if (!(minSeconds > 0 && minSeconds <= maxSeconds)) throw new IllegalArgumentException("long-form range [" + minSeconds + ", " + maxSeconds + "] s is empty");
            if (policy == null) throw new IllegalArgumentException("long-form voice policy is null");
        }

        /** The paper's 45-60 s recordings of one voice. */
        public static Target paper() { return new Target("longform-45-60s", 45, 60, VoicePolicy.SINGLE); }

        /** A {@code minutes}-long set within +-5%; voices may change inside a recording. */
        public static Target minutes(int minutes) {
            if (minutes < 1) throw new IllegalArgumentException("minutes must be positive, got " + minutes);
            return new Target("longform-" + minutes + "min", minutes * 60 * 0.95, minutes * 60 * 1.05, VoicePolicy.SEQUENTIAL);
        }
    }

    /** What one target produced. */
    public record Result(Target target, int recordings, double seconds, int utterancesUsed, Path manifest) { }

    private final double minGapSeconds;
    private final double maxGapSeconds;
    private final long seed;

    public LongFormBuilder(double minGapSeconds, double maxGapSeconds, long seed) {
        if (!(minGapSeconds >= 0 && minGapSeconds <= maxGapSeconds)) {
            throw new IllegalArgumentException("silence gap range [" + minGapSeconds + ", " + maxGapSeconds + "] s is invalid");
        }
        this.minGapSeconds = minGapSeconds;
        this.maxGapSeconds = maxGapSeconds;
        this.seed = seed;
    }

    /** One planned recording: its utterances and the silence (seconds) before each; {@code gaps[0] == 0}. */
    public record Recording(List<ManifestEntry> parts, double[] gaps) {
        public double seconds() {
            double s = 0;
            for (int i = 0; i < parts.size(); i++) s += gaps[i] + parts.get(i).duration();
            return s;
        }
    }

    /** Plans the recordings of {@code target} from {@code entries} (manifest durations; no audio is read). */
    public List<Recording> group(List<ManifestEntry> entries, Target target) {
        Map<String, List<ManifestEntry>> byVoice = new TreeMap<>();
        for (ManifestEntry e : entries) {
            if (e.segments() != null) throw new IllegalArgumentException("long-form input must be single utterances, got a long-form entry " + e.audioFilepath());
            byVoice.computeIfAbsent(e.voice() == null ? "" : e.voice(), k -> new ArrayList<>()).add(e);
        }
        List<List<ManifestEntry>> streams = new ArrayList<>();
        if (target.policy() == VoicePolicy.SINGLE) {
            streams.addAll(byVoice.values());
        } else {
            List<ManifestEntry> all = new ArrayList<>();
            byVoice.values().forEach(all::addAll);
            streams.add(all);
        }
        Random rng = new Random(seed);
        List<Recording> recordings = new ArrayList<>();
        for (List<ManifestEntry> stream : streams) {
            List<ManifestEntry> current = new ArrayList<>();
            List<Double> gaps = new ArrayList<>();
            double length = 0;
            for (ManifestEntry e : stream) {
                if (e.duration() > target.maxSeconds()) { // can never fit; the run of consecutive utterances breaks here
                    current = new ArrayList<>();
                    gaps = new ArrayList<>();
                    length = 0;
                    continue;
                }
                double gap = current.isEmpty() ? 0 : gap(rng);
                if (length + gap + e.duration() > target.maxSeconds()) {
                    current = new ArrayList<>();
                    gaps = new ArrayList<>();
                    length = 0;
                    gap = 0;
                }
                current.add(e);
                gaps.add(gap);
                length += gap + e.duration();
                if (length >= target.minSeconds()) {
                    recordings.add(new Recording(List.copyOf(current), gaps.stream().mapToDouble(Double::doubleValue).toArray()));
                    current = new ArrayList<>();
                    gaps = new ArrayList<>();
                    length = 0;
                }
            }
        }
        return recordings;
    }

    private double gap(Random rng) { return minGapSeconds + (maxGapSeconds - minGapSeconds) * rng.nextDouble(); }

    /**
     * Builds {@code target} from the utterances of {@code manifest} into {@code outDir}. Audio is streamed, so an
     * hour-long recording needs memory for one utterance at a time only.
     */
    public Result build(Path manifest, Target target, Path outDir) throws IOException {
        List<ManifestEntry> entries = Manifest.read(manifest);
        List<Recording> recordings = group(entries, target);
        Path audioDir = outDir.resolve(target.name());
        Files.createDirectories(audioDir);
        List<ManifestEntry> longEntries = new ArrayList<>();
        List<ManifestEntry> segmentEntries = new ArrayList<>();
        double total = 0;
        int used = 0;
        for (int r = 0; r < recordings.size(); r++) {
            List<ManifestEntry> parts = recordings.get(r).parts();
            double[] gaps = recordings.get(r).gaps();
            String relative = target.name() + "/" + String.format(Locale.ROOT, "%s-%05d.wav", target.name(), r + 1);
            Path wav = outDir.resolve(relative);
            List<ManifestEntry.Segment> segments = new ArrayList<>();
            long samplesWritten;
            try (Pcm16Stream out = new Pcm16Stream(wav)) {
                for (int i = 0; i < parts.size(); i++) {
                    ManifestEntry part = parts.get(i);
                    if (i > 0) out.silence(Math.round(gaps[i] * Audio.MODEL_RATE));
                    double offset = out.samples() / (double) Audio.MODEL_RATE;
                    Path source = Manifest.resolveAudio(manifest, part);
                    Audio audio = WavReader.read16kMono(source);
                    out.write(audio.samples());
                    double duration = audio.samples().length / (double) Audio.MODEL_RATE;
                    segments.add(new ManifestEntry.Segment(offset, duration, part.text(), part.voice(), part.audioFilepath()));
                    segmentEntries.add(new ManifestEntry(relative, duration, part.text(), part.voice(), offset, null));
                }
                samplesWritten = out.samples();
            }
            double seconds = samplesWritten / (double) Audio.MODEL_RATE;
            List<String> voices = parts.stream().map(ManifestEntry::voice).filter(java.util.Objects::nonNull).distinct().toList();
            String voice = voices.isEmpty() ? null : String.join(",", voices);
            String text = String.join(" ", parts.stream().map(ManifestEntry::text).filter(t -> !t.isBlank()).toList());
            longEntries.add(new ManifestEntry(relative, seconds, text, voice, null, segments));
            total += seconds;
            used += parts.size();
        }
        Path longManifest = outDir.resolve(target.name() + ".jsonl");
        Manifest.write(longManifest, longEntries);
        Manifest.write(outDir.resolve(target.name() + "-segments.jsonl"), segmentEntries);
        return new Result(target, recordings.size(), total, used, longManifest);
    }

    /** Streams 16 kHz mono 16-bit PCM into a WAV whose header sizes are patched on close. */
    static final class Pcm16Stream implements AutoCloseable {
        private static final int HEADER_BYTES = 44;
        private final Path file;
        private final OutputStream out;
        private long samples;

        Pcm16Stream(Path file) throws IOException {
            this.file = file;
            Files.createDirectories(file.toAbsolutePath().getParent());
            out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
            out.write(new byte[HEADER_BYTES]);
        }

        long samples() { return samples; }

        void write(float[] x) throws IOException {
            byte[] buf = new byte[x.length * 2];
            for (int i = 0; i < x.length; i++) {
                int v = (int) Math.round(Math.max(-1.0, Math.min(1.0, x[i])) * 32767.0);
                buf[2 * i] = (byte) v;
                buf[2 * i + 1] = (byte) (v >> 8);
            }
            out.write(buf);
            samples += x.length;
        }

        void silence(long count) throws IOException {
            byte[] zeros = new byte[8192];
            long bytes = count * 2;
            while (bytes > 0) {
                int n = (int) Math.min(zeros.length, bytes);
                out.write(zeros, 0, n);
                bytes -= n;
            }
            samples += count;
        }

        @Override
        public void close() throws IOException {
            out.close();
            long dataBytes = samples * 2;
            if (dataBytes + 36 > 0xFFFFFFFFL) throw new IOException(file + ": recording too long for a WAV file (" + samples + " samples)");
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) (dataBytes + 36))
                    .put("WAVE".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                    .put("fmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                    .putInt(Audio.MODEL_RATE).putInt(Audio.MODEL_RATE * 2).putShort((short) 2).putShort((short) 16)
                    .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt((int) dataBytes);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.write(h.array());
            }
        }
    }
}
