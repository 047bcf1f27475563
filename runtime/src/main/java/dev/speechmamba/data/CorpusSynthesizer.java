package dev.speechmamba.data;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavReader;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.data.VoiceSplit.Split;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Synthesizes a (wav, transcript) corpus with the installed TTS engines.
 *
 * <p>Determinism: one seeded plan fixes, for utterance {@code i}, its sentence, voice, rate, pitch and noise; the
 * engines run in parallel, but the corpus is always the shortest prefix of the plan whose successful utterances
 * reach the requested duration (or count), so the same seed gives the same texts, voices and settings whatever
 * the completion order. Audio bytes are identical too unless an engine itself is nondeterministic.
 *
 * <p>Each utterance: the engine writes a WAV; it is read with {@link WavReader}, pitch-shifted by reinterpreting
 * its sample rate where the engine has no pitch control, resampled to 16 kHz with the audio package's
 * band-limited resampler, trimmed to at most {@value #KEEP_SILENCE_S} s of leading/trailing silence, peak
 * normalized, optionally mixed with white noise at a random SNR, and written as 16-bit PCM. A failure or
 * timeout is retried once, then the utterance is skipped and counted.
 */
public final class CorpusSynthesizer {
    static final double KEEP_SILENCE_S = 0.2;
    private static final double SILENCE_LEVEL = 0.01; // about -40 dBFS after peak normalization
    private static final double PEAK = 0.9;

    /**
     * @param targetSeconds  stop once the kept utterances reach this much audio (0 = use maxUtterances only)
     * @param maxUtterances  stop after this many kept utterances (0 = no limit)
     * @param noiseProbability chance that an utterance gets white noise at an SNR drawn from [minSnrDb, maxSnrDb]
     * @param variantsPerAccent espeak-ng {@code +variant}s drawn per English accent (besides the plain accent)
     * @param onlyEngines    engine names to use (empty = all installed)
     * @param excludedVoices voice ids ({@code engine:name}) never to use: other corpora's evaluation voices
     */
    public record Settings(Path outDir, double targetSeconds, int maxUtterances, long seed, int jobs, double noiseProbability,
                           double minSnrDb, double maxSnrDb, double minRate, double maxRate, double minPitch, double maxPitch,
                           int variantsPerAccent, double validFraction, double testFraction, int timeoutSeconds,
                           List<String> onlyEngines, Set<String> excludedVoices, double minFormant, double maxFormant) {
        public Settings {
            if (outDir == null) throw new IllegalArgumentException("synth-corpus: output folder is required");
            if (!(targetSeconds >= 0) || maxUtterances < 0 || (targetSeconds == 0 && maxUtterances == 0)) {
                throw new IllegalArgumentException("synth-corpus: give a positive duration (--hours) or utterance count (--utterances)");
            }
            if (jobs < 1) throw new IllegalArgumentException("synth-corpus: --jobs must be at least 1, got " + jobs);
            if (!(noiseProbability >= 0 && noiseProbability <= 1)) throw new IllegalArgumentException("synth-corpus: --noise-prob must be in [0, 1], got " + noiseProbability);
            if (!(minSnrDb <= maxSnrDb)) throw new IllegalArgumentException("synth-corpus: SNR range [" + minSnrDb + ", " + maxSnrDb + "] is empty");
            if (!(minRate > 0 && minRate <= maxRate)) throw new IllegalArgumentException("synth-corpus: bad rate range [" + minRate + ", " + maxRate + "]");
            if (!(minPitch > 0 && minPitch <= maxPitch)) throw new IllegalArgumentException("synth-corpus: bad pitch range [" + minPitch + ", " + maxPitch + "]");
            if (!(minFormant > 0 && minFormant <= maxFormant)) throw new IllegalArgumentException("synth-corpus: bad formant range [" + minFormant + ", " + maxFormant + "]");
            if (timeoutSeconds < 1) throw new IllegalArgumentException("synth-corpus: timeout must be at least 1 s, got " + timeoutSeconds);
            onlyEngines = onlyEngines == null ? List.of() : List.copyOf(onlyEngines);
            excludedVoices = excludedVoices == null ? Set.of() : Set.copyOf(excludedVoices);
        }

        /** No formant range: each engine moves its formants as it did before formant factors existed. */
        public Settings(Path outDir, double targetSeconds, int maxUtterances, long seed, int jobs, double noiseProbability,
                        double minSnrDb, double maxSnrDb, double minRate, double maxRate, double minPitch, double maxPitch,
                        int variantsPerAccent, double validFraction, double testFraction, int timeoutSeconds,
                        List<String> onlyEngines, Set<String> excludedVoices) {
            this(outDir, targetSeconds, maxUtterances, seed, jobs, noiseProbability, minSnrDb, maxSnrDb, minRate, maxRate,
                    minPitch, maxPitch, variantsPerAccent, validFraction, testFraction, timeoutSeconds, onlyEngines,
                    excludedVoices, 1, 1);
        }

        /**
         * Whether each utterance gets a formant factor. The range [1, 1], the default, gives none: festival's diphone
         * voices then still move their formants with the pitch, as in every corpus made before (and re-made since).
         */
        boolean movesFormants() { return minFormant != 1 || maxFormant != 1; }

        public static Settings of(Path outDir, double targetSeconds, int maxUtterances, long seed, int jobs, double noiseProbability) {
            return new Settings(outDir, targetSeconds, maxUtterances, seed, jobs, noiseProbability, 5, 30, 0.85, 1.15, 0.85, 1.15,
                    4, 0.1, 0.15, 60, List.of(), Set.of());
        }
    }

    /** One planned utterance. {@code snrDb} is NaN for a clean one. */
    record Plan(int index, String text, Voice voice, double rate, double pitch, double formant, double snrDb, long noiseSeed) { }

    /** What a run produced. */
    public record Report(int kept, int failed, double seconds, double wallSeconds, Map<Split, Integer> utterancesPerSplit,
                         Map<Split, Double> secondsPerSplit, Map<Voice, Split> voices, List<String> notes) { }

    private final Settings settings;
    private final List<TtsEngine> engines;
    private final List<String> sentences;
    private final PrintStream progress;

    /**
     * @param engines   engines to consider (those without voices are skipped with a note)
     * @param sentences normalized sentences to speak
     * @param progress  where the progress bar goes (null for none)
     */
    public CorpusSynthesizer(Settings settings, List<TtsEngine> engines, List<String> sentences, PrintStream progress) {
        if (sentences == null || sentences.isEmpty()) {
            throw new IllegalArgumentException("synth-corpus: no sentences to speak (install fortunes / wordnet-base: ci/install-tts.sh)");
        }
        this.settings = settings;
        this.engines = List.copyOf(engines);
        this.sentences = List.copyOf(sentences);
        this.progress = progress;
    }

    public Report run() throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<String> notes = new ArrayList<>();
        Map<String, TtsEngine> engineByName = new LinkedHashMap<>();
        List<Voice> voices = new ArrayList<>();
        for (TtsEngine e : engines) {
            if (!settings.onlyEngines().isEmpty() && !settings.onlyEngines().contains(e.name())) continue;
            List<Voice> vs = e.voices();
            if (vs.isEmpty()) {
                notes.add("skipped " + e.name() + ": " + e.unavailableReason());
                continue;
            }
            engineByName.put(e.name(), e);
            voices.addAll(vs);
        }
        if (voices.isEmpty()) throw new IllegalStateException("synth-corpus: no TTS voice to speak with (" + String.join("; ", notes) + "); ci/install-tts.sh installs the engines");
        if (!settings.excludedVoices().isEmpty()) {
            int before = voices.size();
            voices.removeIf(v -> settings.excludedVoices().contains(v.id()));
            notes.add("excluded " + (before - voices.size()) + " installed voices held out elsewhere (" + settings.excludedVoices().size()
                    + " listed)");
            if (voices.isEmpty()) throw new IllegalStateException("synth-corpus: --exclude-voices leaves no installed voice to speak");
        }
        Collections.sort(voices);
        Map<Voice, Split> split = VoiceSplit.assign(voices, settings.validFraction(), settings.testFraction(), settings.seed());

        Path out = settings.outDir();
        Files.createDirectories(out.resolve("wavs"));
        Path scratch = Files.createTempDirectory("synth-corpus-");
        Random planRng = new Random(settings.seed());
        List<String> order = new ArrayList<>(sentences);
        Collections.shuffle(order, planRng);

        ExecutorService pool = Executors.newFixedThreadPool(settings.jobs(), r -> {
            Thread t = new Thread(r, "synth-corpus");
            t.setDaemon(true);
            return t;
        });
        ExecutorCompletionService<Result> done = new ExecutorCompletionService<>(pool);
        TreeMap<Integer, Result> results = new TreeMap<>();
        boolean unlimitedCount = settings.maxUtterances() == 0;
        double goal = settings.targetSeconds() > 0 ? settings.targetSeconds() : settings.maxUtterances();
        ProgressBar bar = new ProgressBar(progress, "synth", settings.targetSeconds() > 0 ? settings.targetSeconds() / 3600 : goal,
                settings.targetSeconds() > 0 ? "h" : "utt");
        int nextIndex = 0, inFlight = 0, failed = 0;
        int cutoff = -1; // last plan index of the corpus once known
        double keptSeconds = 0;
        int keptCount = 0;
        try {
            while (true) {
                while (cutoff < 0 && inFlight < settings.jobs() * 2) {
                    Plan plan = plan(nextIndex++, order, voices, planRng);
                    done.submit(() -> synthesize(plan, engineByName.get(plan.voice().engine()), scratch));
                    inFlight++;
                }
                if (inFlight == 0) break;
                Future<Result> f = done.take();
                inFlight--;
                Result r;
                try {
                    r = f.get();
                } catch (ExecutionException e) {
                    throw new IOException("synth-corpus: worker crashed: " + e.getCause(), e.getCause());
                }
                results.put(r.plan().index(), r);
                if (r.error() != null) {
                    failed++;
                    notes.add("skipped utterance " + r.plan().index() + " (" + r.plan().voice() + "): " + r.error());
                }
                // Recompute the prefix that reaches the goal; everything past it is discarded.
                keptSeconds = 0;
                keptCount = 0;
                int expected = 0;
                for (Map.Entry<Integer, Result> e : results.entrySet()) {
                    if (e.getKey() != expected++) break;
                    if (e.getValue().error() == null) {
                        keptSeconds += e.getValue().seconds();
                        keptCount++;
                    }
                    boolean reached = (settings.targetSeconds() > 0 && keptSeconds >= settings.targetSeconds())
                            || (!unlimitedCount && keptCount >= settings.maxUtterances());
                    if (reached) {
                        cutoff = e.getKey();
                        break;
                    }
                }
                if (cutoff < 0 && failed >= 20 && failed * 2 > results.size()) {
                    throw new IllegalStateException("synth-corpus: too many failures; " + failed + " of " + nextIndex + " utterances failed");
                }
                bar.update(settings.targetSeconds() > 0 ? keptSeconds / 3600 : keptCount,
                        String.format(Locale.ROOT, "%d utt, %d failed", keptCount, failed), false);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(settings.timeoutSeconds() + 5L, TimeUnit.SECONDS);
        }
        bar.update(settings.targetSeconds() > 0 ? keptSeconds / 3600 : keptCount,
                String.format(Locale.ROOT, "%d utt, %d failed", keptCount, failed), true);
        bar.finish();

        Map<Split, List<ManifestEntry>> manifests = new EnumMap<>(Split.class);
        for (Split s : Split.values()) manifests.put(s, new ArrayList<>());
        for (Result r : results.values()) {
            if (r.error() != null) continue;
            if (r.plan().index() > cutoff) {
                Files.deleteIfExists(out.resolve(r.relativePath()));
                continue;
            }
            manifests.get(split.get(r.plan().voice())).add(new ManifestEntry(r.relativePath(), r.seconds(), r.plan().text(), r.plan().voice().id()));
        }
        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        Map<Split, Double> seconds = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            Manifest.write(out.resolve(s.fileName()), manifests.get(s));
            counts.put(s, manifests.get(s).size());
            seconds.put(s, manifests.get(s).stream().mapToDouble(ManifestEntry::duration).sum());
        }
        Folders.deleteTree(scratch);
        double wall = (System.nanoTime() - start) / 1e9;
        Report report = new Report(keptCount, (int) results.headMap(cutoff, true).values().stream().filter(r -> r.error() != null).count(),
                keptSeconds, wall, counts, seconds, split, notes);
        writeSummary(out.resolve("corpus.json"), report);
        return report;
    }

    private Plan plan(int index, List<String> order, List<Voice> voices, Random rng) {
        String text = order.get(index % order.size());
        Voice voice = voices.get(rng.nextInt(voices.size()));
        double rate = uniform(rng, settings.minRate(), settings.maxRate());
        double pitch = uniform(rng, settings.minPitch(), settings.maxPitch());
        boolean noisy = rng.nextDouble() < settings.noiseProbability();
        double snr = uniform(rng, settings.minSnrDb(), settings.maxSnrDb());
        long noiseSeed = rng.nextLong();
        // Drawn from a stream of its own, so that a corpus planned before formant shifts existed plans the same.
        double formant = settings.movesFormants()
                ? uniform(new Random(noiseSeed ^ 0xF0F0_7A7EL), settings.minFormant(), settings.maxFormant())
                : TtsEngine.ENGINE_FORMANTS;
        return new Plan(index, text, voice, rate, pitch, formant, noisy ? snr : Double.NaN, noiseSeed);
    }

    private static double uniform(Random rng, double lo, double hi) { return lo + (hi - lo) * rng.nextDouble(); }

    record Result(Plan plan, String relativePath, double seconds, String error) { }

    private Result synthesize(Plan plan, TtsEngine engine, Path scratch) {
        String relative = "wavs/" + plan.voice().folderName() + "/" + String.format(Locale.ROOT, "%07d.wav", plan.index());
        String lastError = null;
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                double seconds = synthesizeOnce(plan, engine, scratch, settings.outDir().resolve(relative));
                return new Result(plan, relative, seconds, null);
            } catch (IOException | RuntimeException e) {
                lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(plan, relative, 0, "interrupted");
            }
        }
        return new Result(plan, relative, 0, lastError);
    }

    private double synthesizeOnce(Plan plan, TtsEngine engine, Path scratch, Path target) throws IOException, InterruptedException {
        Path textFile = scratch.resolve(plan.index() + ".txt");
        Path raw = scratch.resolve(plan.index() + ".wav");
        Files.writeString(textFile, plan.text() + "\n", StandardCharsets.UTF_8);
        try {
            TtsEngine.Invocation call = engine.command(plan.voice(), textFile, raw, plan.rate(), plan.pitch(), plan.formant());
            runWithTimeout(call.command(), scratch.resolve(plan.index() + ".log"));
            Audio audio = WavReader.readMono(raw);
            if (audio.samples().length == 0) throw new IOException(engine.name() + " wrote no audio");
            // Playing the samples faster raises pitch, formants and rate by the factor.
            int shiftedRate = (int) Math.round(audio.sampleRate() * call.postSpeedUp());
            float[] samples = new Audio(audio.samples(), shiftedRate).resample(Audio.MODEL_RATE).samples();
            samples = trimSilence(samples, Audio.MODEL_RATE);
            if (samples.length < Audio.MODEL_RATE / 10) throw new IOException(engine.name() + " produced under 0.1 s of speech");
            normalizePeak(samples);
            if (!Double.isNaN(plan.snrDb())) addNoise(samples, plan.snrDb(), new Random(plan.noiseSeed()));
            Files.createDirectories(target.getParent());
            WavWriter.writePcm16(target, new Audio(samples, Audio.MODEL_RATE));
            return samples.length / (double) Audio.MODEL_RATE;
        } finally {
            Files.deleteIfExists(textFile);
            Files.deleteIfExists(raw);
        }
    }

    private void runWithTimeout(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            p.getOutputStream().close();
            if (!p.waitFor(settings.timeoutSeconds(), TimeUnit.SECONDS)) {
                throw new IOException(command.get(0) + " timed out after " + settings.timeoutSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                String tail = Files.readString(log, StandardCharsets.ISO_8859_1).strip();
                if (tail.length() > 200) tail = tail.substring(tail.length() - 200);
                throw new IOException(command.get(0) + " exited with " + p.exitValue() + (tail.isEmpty() ? "" : ": " + tail.replace('\n', ' ')));
            }
        } finally {
            if (p.isAlive()) {
                // text2wave is a script that starts festival: kill the whole tree, not just the script.
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }
    }

    /** Cuts leading and trailing silence down to {@link #KEEP_SILENCE_S}. */
    static float[] trimSilence(float[] x, int rate) {
        float peak = 0;
        for (float v : x) peak = Math.max(peak, Math.abs(v));
        if (peak == 0) return new float[0];
        float threshold = (float) (SILENCE_LEVEL * peak);
        int first = 0, last = x.length - 1;
        while (first < x.length && Math.abs(x[first]) < threshold) first++;
        while (last > first && Math.abs(x[last]) < threshold) last--;
        int keep = (int) Math.round(KEEP_SILENCE_S * rate);
        int from = Math.max(0, first - keep), to = Math.min(x.length, last + 1 + keep);
        return java.util.Arrays.copyOfRange(x, from, to);
    }

    static void normalizePeak(float[] x) {
        float peak = 0;
        for (float v : x) peak = Math.max(peak, Math.abs(v));
        if (peak == 0) return;
        float gain = (float) (PEAK / peak);
        for (int i = 0; i < x.length; i++) x[i] *= gain;
    }

    /** Adds white Gaussian noise so that signal power / noise power = 10^(snrDb/10), then re-limits the peak. */
    static void addNoise(float[] x, double snrDb, Random rng) {
        double power = 0;
        for (float v : x) power += (double) v * v;
        power /= x.length;
        double sigma = Math.sqrt(power / Math.pow(10, snrDb / 10));
        float peak = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] += (float) (sigma * rng.nextGaussian());
            peak = Math.max(peak, Math.abs(x[i]));
        }
        if (peak > 0.999f) for (int i = 0; i < x.length; i++) x[i] *= 0.999f / peak;
    }

    private void writeSummary(Path file, Report r) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("seed", settings.seed());
        root.put("utterances", r.kept());
        root.put("failed_utterances", r.failed());
        root.put("hours", r.seconds() / 3600);
        root.put("wall_seconds", r.wallSeconds());
        root.put("jobs", settings.jobs());
        root.put("noise_probability", settings.noiseProbability());
        root.putArray("rate_range").add(settings.minRate()).add(settings.maxRate());
        root.putArray("pitch_range").add(settings.minPitch()).add(settings.maxPitch());
        if (settings.movesFormants()) root.putArray("formant_range").add(settings.minFormant()).add(settings.maxFormant());
        ObjectNode splits = root.putObject("splits");
        for (Split s : Split.values()) {
            ObjectNode n = splits.putObject(s.name().toLowerCase(Locale.ROOT));
            n.put("utterances", r.utterancesPerSplit().get(s));
            n.put("hours", r.secondsPerSplit().get(s) / 3600);
            var list = n.putArray("voices");
            r.voices().forEach((v, sp) -> { if (sp == s) list.add(v.id()); });
        }
        var notes = root.putArray("notes");
        r.notes().stream().limit(200).forEach(notes::add);
        json.writeValue(file.toFile(), root);
    }
}
