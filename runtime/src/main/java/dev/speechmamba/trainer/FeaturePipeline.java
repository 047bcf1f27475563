package dev.speechmamba.trainer;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.EdgeSilence;
import dev.speechmamba.audio.Fbank;
import dev.speechmamba.audio.Features;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.RandomEqualizer;
import dev.speechmamba.audio.SpecAugment;
import dev.speechmamba.audio.SpeechLevel;
import dev.speechmamba.audio.SpeedPerturbation;
import dev.speechmamba.audio.VocalTractPerturbation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Audio → 16 kHz mono → speech level → [speed perturbation] → [edge silence] → 80-bin fbank [VTLP-warped] →
 * [random equalizer] → global CMVN → [SpecAugment]. The bracketed steps run only when augmenting (training), drawing
 * from generators seeded by the caller, so the same seed gives the same features on any thread. The speech level
 * step brings each utterance into {@link SpeechLevel#TRAINING_RANGE}, as {@code transcribe} does by default, so that
 * a model is trained on what it will be given ({@link #withSpeechLevel} changes or removes it).
 */
public final class FeaturePipeline {
    private static final long EDGE_SILENCE_STREAM = 0x5EED_ED6E_51E0_CEL;
    private static final long EQUALIZER_STREAM = 0x5EED_E0A1_12E5_0B1AL;
    private final Fbank fbank;
    private final GlobalCmvn cmvn;
    private final SpecAugment specAugment;   // null: no augmentation
    private final boolean speedPerturb;
    private final VocalTractPerturbation vtlp;   // null: the plain filterbank
    private final EdgeSilence edgeSilence;       // null: utterances as recorded
    private final RandomEqualizer equalizer;     // null: the spectrum as recorded
    private final Optional<SpeechLevel.Range> speechLevel; // empty: the level as recorded

    /** No vocal-tract length perturbation. */
    public FeaturePipeline(int melBins, GlobalCmvn cmvn, SpecAugment specAugment, boolean speedPerturb) {
        this(melBins, cmvn, specAugment, speedPerturb, null);
    }

    /**
     * @param cmvn         statistics to normalize with, or null for raw log-mel features (used to compute them)
     * @param specAugment  SpecAugment settings when training, null otherwise
     * @param speedPerturb draw a speed factor from {0.95, 1.0, 1.05} when training
     * @param vtlp         draw a filterbank warp per utterance when training, or null for none
     */
    public FeaturePipeline(int melBins, GlobalCmvn cmvn, SpecAugment specAugment, boolean speedPerturb,
                           VocalTractPerturbation vtlp) {
        this(melBins, cmvn, specAugment, speedPerturb, vtlp, null);
    }

    /**
     * @param edgeSilence silence drawn before and after each training utterance, or null for none
     * @see #FeaturePipeline(int, GlobalCmvn, SpecAugment, boolean, VocalTractPerturbation)
     */
    public FeaturePipeline(int melBins, GlobalCmvn cmvn, SpecAugment specAugment, boolean speedPerturb,
                           VocalTractPerturbation vtlp, EdgeSilence edgeSilence) {
        this(melBins, cmvn, specAugment, speedPerturb, vtlp, edgeSilence, null);
    }

    /**
     * @param equalizer a random gain curve over the filterbank per training utterance, or null for none
     * @see #FeaturePipeline(int, GlobalCmvn, SpecAugment, boolean, VocalTractPerturbation, EdgeSilence)
     */
    public FeaturePipeline(int melBins, GlobalCmvn cmvn, SpecAugment specAugment, boolean speedPerturb,
                           VocalTractPerturbation vtlp, EdgeSilence edgeSilence, RandomEqualizer equalizer) {
        this.fbank = new Fbank(melBins);
        if (cmvn != null && cmvn.dims() != melBins) {
            throw new IllegalArgumentException("CMVN statistics have " + cmvn.dims() + " dims but the model reads "
                    + melBins + " fbank bins");
        }
        if (vtlp != null && vtlp.melBins() != melBins) {
            throw new IllegalArgumentException("VTLP warps " + vtlp.melBins() + "-bin filterbanks but the model reads "
                    + melBins + " fbank bins");
        }
        this.cmvn = cmvn;
        this.specAugment = specAugment;
        this.speedPerturb = speedPerturb;
        this.vtlp = vtlp;
        this.edgeSilence = edgeSilence;
        this.equalizer = equalizer;
        this.speechLevel = Optional.of(SpeechLevel.TRAINING_RANGE);
    }

    private FeaturePipeline(FeaturePipeline p, Optional<SpeechLevel.Range> speechLevel) {
        this.fbank = p.fbank;
        this.cmvn = p.cmvn;
        this.specAugment = p.specAugment;
        this.speedPerturb = p.speedPerturb;
        this.vtlp = p.vtlp;
        this.edgeSilence = p.edgeSilence;
        this.equalizer = p.equalizer;
        this.speechLevel = speechLevel;
    }

    /** This pipeline with each utterance brought into {@code level}, or read at its recorded level when empty. */
    public FeaturePipeline withSpeechLevel(Optional<SpeechLevel.Range> level) {
        return new FeaturePipeline(this, java.util.Objects.requireNonNull(level));
    }

    /** The levels utterances are brought into, if any. */
    public Optional<SpeechLevel.Range> speechLevel() { return speechLevel; }

    /** Reads the utterance's samples: its [offset, offset + duration) slice when the manifest gives an offset. */
    public static Audio readAudio(Utterance u) throws IOException {
        Audio audio = AudioFiles.read16kMono(u.audio());
        if (u.offset() == null) return audio;
        int rate = audio.sampleRate();
        int from = (int) Math.round(u.offset() * rate);
        int to = (int) Math.min(audio.samples().length, Math.round((u.offset() + u.duration()) * rate));
        if (from >= to) {
            throw new IOException(u.audio() + ": offset " + u.offset() + " s lies past the end of the audio ("
                    + audio.duration() + " s)");
        }
        return new Audio(Arrays.copyOfRange(audio.samples(), from, to), rate);
    }

    /**
     * Features of {@code u}; {@code augmentSeed} drives speed perturbation, edge silence, VTLP, the equalizer and
     * SpecAugment.
     */
    public Features features(Utterance u, long augmentSeed) throws IOException {
        Audio audio = readAudio(u);
        if (speechLevel.isPresent()) audio = new Audio(SpeechLevel.normalize(audio.samples(), speechLevel.get()), audio.sampleRate());
        SplittableRandom rng = new SplittableRandom(augmentSeed);
        if (speedPerturb) audio = SpeedPerturbation.apply(audio, SpeedPerturbation.drawFactor(rng));
        // A generator of its own, so that enabling edge silence leaves the other draws of a seed as they were.
        if (edgeSilence != null) audio = edgeSilence.apply(audio, new SplittableRandom(augmentSeed ^ EDGE_SILENCE_STREAM));
        if (audio.samples().length < Fbank.FRAME_LENGTH) {
            throw new IOException(u.audio() + ": only " + audio.samples().length + " samples, shorter than one "
                    + Fbank.FRAME_LENGTH + "-sample analysis frame");
        }
        // VTLP draws after the speed factor, so enabling it leaves the speed draws of a seed as they were.
        Features f = (vtlp == null ? fbank : vtlp.filterbank(vtlp.drawFactor(rng))).compute(audio);
        if (equalizer != null) equalizer.applyInPlace(f, new SplittableRandom(augmentSeed ^ EQUALIZER_STREAM));
        if (cmvn != null) cmvn.applyInPlace(f);
        if (specAugment != null) f = specAugment.apply(f, rng);
        return f;
    }

    /**
     * Global CMVN statistics of raw fbank features over {@code utterances} (no augmentation), computed with
     * {@code threads} workers whose partial statistics merge exactly.
     */
    public static GlobalCmvn computeCmvn(List<Utterance> utterances, int melBins, int threads) throws IOException {
        FeaturePipeline raw = new FeaturePipeline(melBins, null, null, false);
        int workers = Math.max(1, Math.min(threads, utterances.size()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "cmvn-stats");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<GlobalCmvn.Accumulator>> parts = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                parts.add(pool.submit(() -> {
                    GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(melBins);
                    for (int i = worker; i < utterances.size(); i += workers) {
                        acc.add(raw.features(utterances.get(i), 0));
                    }
                    return acc;
                }));
            }
            GlobalCmvn.Accumulator total = new GlobalCmvn.Accumulator(melBins);
            for (Future<GlobalCmvn.Accumulator> f : parts) total.merge(BatchLoader.await(f));
            return total.finish();
        } finally {
            pool.shutdownNow();
        }
    }
}
