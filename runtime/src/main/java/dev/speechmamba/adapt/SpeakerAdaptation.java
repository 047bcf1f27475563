package dev.speechmamba.adapt;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.data.Folders;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.trainer.ModelBundle;
import dev.speechmamba.trainer.TrainOptions;
import dev.speechmamba.trainer.Trainer;
import dev.speechmamba.transcribe.ModelFolder;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.Segment;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.Transcript;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Unsupervised speaker adaptation, the second pass of two-pass decoding: the model transcribes a speaker's
 * recordings, and is then fine-tuned for a few steps on its own transcripts of them (pseudo-labels), with the
 * training augmentation on so that it learns the voice rather than memorizes its first-pass mistakes. The adapted
 * model is written as a model folder, with the source model's LM and lexicon, for {@code transcribe --model}.
 *
 * <p>Why: a voice unlike the training voices is the largest source of errors of a model trained on synthetic
 * speech; a long recording of one speaker carries minutes of that voice, and the first pass is right about most
 * of it. Classic ASR adapts to the speaker between passes the same way (fMLLR on the first pass's alignments);
 * here the whole network moves, at a low learning rate, for a handful of steps.
 */
public final class SpeakerAdaptation {
    /** Written beside the adapted model: where it came from and what it was adapted on. */
    public static final String REPORT_FILE = "adaptation.json";
    /** Seconds of audio kept on each side of a first-pass segment, so that word edges are not cut. */
    static final double SEGMENT_PADDING_S = 0.15;
    /** Segments shorter than this carry too little voice to train on (and are often a stray word). */
    static final double MIN_SEGMENT_S = 0.3;

    /**
     * @param steps        optimizer steps of the fine-tune (each over batchSeconds of padded audio)
     * @param learningRate peak learning rate (a tenth of a from-scratch run's, or less: the model must not forget)
     * @param warmupSteps  Noam warm-up steps
     * @param batchSeconds padded seconds of audio per step
     * @param vtlp         vocal-tract length perturbation of the training features (0 = off)
     * @param seed         seeds data order, augmentation and dropout
     * @param device       backend for both passes: cpu, cuda, reference or auto
     * @param keepWork     keep the segment audio, pseudo-label manifest and training folder under {@code out/work}
     * @param freeze       regular expression of the parameter names that keep their values, or null to adapt all
     */
    public record Options(int steps, double learningRate, int warmupSteps, double batchSeconds, double vtlp, long seed,
                          String device, boolean keepWork, String freeze) {
        public Options {
            if (steps < 1) throw new IllegalArgumentException("adaptation steps must be at least 1, got " + steps);
            if (!(learningRate > 0) || learningRate > 1e-2) {
                throw new IllegalArgumentException("adaptation learning rate must be in (0, 0.01], got " + learningRate);
            }
            if (warmupSteps < 1) throw new IllegalArgumentException("warm-up steps must be at least 1, got " + warmupSteps);
            if (!(batchSeconds > 0)) throw new IllegalArgumentException("batch seconds must be positive, got " + batchSeconds);
            if (!(vtlp == 0 || (vtlp >= 0.01 && vtlp <= 0.2))) {
                throw new IllegalArgumentException("vtlp must be 0 (off) or in [0.01, 0.2], got " + vtlp);
            }
            if (freeze != null) {
                try {
                    Pattern.compile(freeze);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("freeze is not a regular expression: " + e.getDescription() + " in '" + freeze + "'");
                }
            }
        }

        /** 40 steps at 1e-4 with VTLP 0.1: measured on 12 unheard voices (docs/benchmarks.md, "Speaker adaptation"). */
        public static Options defaults() { return new Options(40, 1e-4, 5, 60, 0.1, 1, "auto", false, null); }

        public Options withSteps(int s) { return new Options(s, learningRate, warmupSteps, batchSeconds, vtlp, seed, device, keepWork, freeze); }

        public Options withLearningRate(double lr) { return new Options(steps, lr, warmupSteps, batchSeconds, vtlp, seed, device, keepWork, freeze); }

        public Options withDevice(String d) { return new Options(steps, learningRate, warmupSteps, batchSeconds, vtlp, seed, d, keepWork, freeze); }

        public Options withSeed(long s) { return new Options(steps, learningRate, warmupSteps, batchSeconds, vtlp, s, device, keepWork, freeze); }

        public Options withKeepWork(boolean k) { return new Options(steps, learningRate, warmupSteps, batchSeconds, vtlp, seed, device, k, freeze); }

        public Options withFreeze(String regex) { return new Options(steps, learningRate, warmupSteps, batchSeconds, vtlp, seed, device, keepWork, regex); }
    }

    /**
     * @param model         the adapted model folder (weights, and the source model's LM and lexicon when it had them)
     * @param firstPass     the first pass's transcript of each recording, in input order
     * @param segments      first-pass segments trained on
     * @param seconds       seconds of audio in them
     * @param steps         optimizer steps taken
     */
    public record Result(Path model, List<Transcript> firstPass, int segments, double seconds, long steps) { }

    private SpeakerAdaptation() { }

    /**
     * Adapts {@code source} to the speaker of {@code recordings} and writes the adapted model folder {@code out},
     * which must not exist or be empty (nothing of the user's is overwritten). On failure {@code out} is removed
     * again if this call created its contents.
     */
    public static Result run(ModelSource source, List<Path> recordings, Path out, TranscribeOptions decoding,
                             Options options, PrintStream progress) throws IOException {
        if (recordings.isEmpty()) throw new IllegalArgumentException("no recordings to adapt on");
        for (Path r : recordings) {
            if (!Files.isRegularFile(r)) throw new NoSuchFileException(r.toString(), null, "no such recording");
        }
        boolean existed = requireEmptyOrAbsent(out);
        Files.createDirectories(out);
        boolean done = false;
        Path work = out.resolve("work");
        try {
            Path base = Files.createDirectories(work.resolve("base"));
            source.copyTo(base);
            Path baseWeights = base.resolve(ModelFolder.WEIGHTS);

            List<Transcript> firstPass = new ArrayList<>();
            Path segmentsDir = Files.createDirectories(work.resolve("segments"));
            List<ManifestEntry> entries = new ArrayList<>();
            double seconds = 0;
            try (Backend backend = Backends.create(options.device());
                 Transcriber transcriber = Transcriber.load(new ModelSource.Folder(base, "adaptation"), backend, decoding)) {
                for (int i = 0; i < recordings.size(); i++) {
                    Path recording = recordings.get(i);
                    Audio audio = AudioFiles.read16kMono(recording);
                    log(progress, String.format(Locale.ROOT, "first pass %d/%d: %s (%.1f s)", i + 1, recordings.size(),
                            recording, audio.duration()));
                    Transcript t = transcriber.transcribe(audio.samples());
                    firstPass.add(t);
                    int n = 0;
                    for (Segment s : t.segments()) {
                        if (s.text().isBlank()) continue;
                        int from = (int) Math.max(0, Math.round((s.start() - SEGMENT_PADDING_S) * Audio.MODEL_RATE));
                        int to = (int) Math.min(audio.samples().length, Math.round((s.end() + SEGMENT_PADDING_S) * Audio.MODEL_RATE));
                        double duration = (to - from) / (double) Audio.MODEL_RATE;
                        if (duration < MIN_SEGMENT_S) continue;
                        float[] slice = Arrays.copyOfRange(audio.samples(), from, to);
                        String name = String.format(Locale.ROOT, "%04d-%05d.wav", i, n++);
                        WavWriter.writePcm16(segmentsDir.resolve(name), new Audio(slice, Audio.MODEL_RATE));
                        entries.add(new ManifestEntry("segments/" + name, duration, s.text(), "adaptation"));
                        seconds += duration;
                    }
                }
            }
            if (entries.isEmpty()) {
                throw new IllegalArgumentException("the first pass found no speech to adapt on in " + recordings.size()
                        + " recording" + (recordings.size() == 1 ? "" : "s") + " (every transcript was empty)");
            }
            Path manifest = work.resolve("pseudo-labels.jsonl");
            Manifest.write(manifest, entries);
            log(progress, String.format(Locale.ROOT, "adapting on %d segments (%.1f min of audio), %d steps at lr %.1e",
                    entries.size(), seconds / 60, options.steps(), options.learningRate()));

            Checkpoint ckpt = ModelBundle.readCheckpoint(baseWeights);
            ModelConfig config = ModelBundle.configOf(ckpt, baseWeights);
            Path configFile = work.resolve("config.json");
            Files.writeString(configFile, config.toJson());
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            // Epochs unbounded: the step count decides, whatever the amount of audio.
            TrainOptions train = new TrainOptions(configFile.toString(), manifest, null, work.resolve("train"),
                    options.device(), Integer.MAX_VALUE, options.steps(), options.seed(), config.vocabSize(),
                    options.batchSeconds(), 256, 1, options.learningRate(), options.warmupSteps(), 5.0, 0, 1, 1,
                    false, true, null, threads, progress, -1, 0, baseWeights, options.vtlp(), 0, 0, options.freeze());
            Trainer.Result trained = new Trainer(train).run();

            Files.move(trained.model(), out.resolve(ModelFolder.WEIGHTS));
            try (Stream<Path> companions = Files.list(base)) {
                for (Path f : companions.filter(f -> !f.getFileName().toString().equals(ModelFolder.WEIGHTS)).toList()) {
                    Files.move(f, out.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            writeReport(out.resolve(REPORT_FILE), source, recordings, entries.size(), seconds, trained.steps(), options);
            if (!options.keepWork()) Folders.deleteTree(work);
            done = true;
            return new Result(out, List.copyOf(firstPass), entries.size(), seconds, trained.steps());
        } finally {
            if (!done) {
                if (existed) Folders.deleteContents(out);
                else Folders.deleteTree(out);
            }
        }
    }

    /** @return whether {@code out} exists (empty) already */
    private static boolean requireEmptyOrAbsent(Path out) throws IOException {
        if (!Files.exists(out)) return false;
        if (!Files.isDirectory(out)) throw new IllegalArgumentException(out + " exists and is not a folder; choose a new output folder");
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new DirectoryNotEmptyException(out + " (the adapted model goes into a new or empty folder, so "
                        + "that nothing there is overwritten)");
            }
        }
        return true;
    }

    private static void writeReport(Path file, ModelSource source, List<Path> recordings, int segments, double seconds,
                                    long steps, Options o) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("adapted_from", source.describe());
        r.put("recordings", recordings.stream().map(p -> p.toAbsolutePath().toString()).toList());
        r.put("segments", segments);
        r.put("seconds", Math.round(seconds * 100) / 100.0);
        r.put("steps", steps);
        r.put("learning_rate", o.learningRate());
        r.put("warmup_steps", o.warmupSteps());
        r.put("batch_seconds", o.batchSeconds());
        r.put("vtlp", o.vtlp());
        r.put("seed", o.seed());
        if (o.freeze() != null) r.put("frozen", o.freeze());
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), r);
    }

    private static void log(PrintStream progress, String line) {
        if (progress != null) progress.println("adapt: " + line);
    }
}
