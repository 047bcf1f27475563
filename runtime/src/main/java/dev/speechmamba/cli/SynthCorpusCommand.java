package dev.speechmamba.cli;

import dev.speechmamba.data.CorpusSynthesizer;
import dev.speechmamba.data.HeldOutSentences;
import dev.speechmamba.data.HeldOutVoices;
import dev.speechmamba.data.SentenceSource;
import dev.speechmamba.data.TtsEngine;
import dev.speechmamba.data.TtsEngines;
import dev.speechmamba.data.VoiceSplit.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Synthesizes a speech corpus with the installed Debian TTS engines. */
@Command(name = "synth-corpus", mixinStandardHelpOptions = true,
        description = {"Synthesize (wav, transcript) pairs with the installed TTS engines (espeak-ng and its mbrola "
                + "voices, flite, festival, pico) from fortunes and WordNet example sentences, normalized so the spoken "
                + "and written text agree. Writes 16 kHz mono 16-bit WAVs under OUT/wavs and NeMo-style manifests "
                + "OUT/{train,valid,test}.jsonl; valid and test use voices never used in train. Install the engines "
                + "with ci/install-tts.sh."})
public final class SynthCorpusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--hours", defaultValue = "0", description = "Audio to synthesize, in hours (e.g. 1 or 0.1).")
    double hours;

    @Option(names = "--utterances", defaultValue = "0", description = "Or: number of utterances (for small runs).")
    int utterances;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for texts, voices, rates, pitches, noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--jobs", description = "TTS processes in parallel (default: twice the CPUs; the engines are short "
            + "processes whose start-up leaves CPUs idle).")
    Integer jobs;

    @Option(names = "--noise-prob", defaultValue = "0.3", description = "Share of utterances with white noise at 5-30 dB SNR (default: ${DEFAULT-VALUE}).")
    double noiseProb;

    @Option(names = "--espeak-variants", defaultValue = "4", description = "espeak-ng +variants drawn per English accent (default: ${DEFAULT-VALUE}).")
    int espeakVariants;

    @Option(names = "--engines", split = ",", description = "Only these engines (espeak-ng, flite, festival, pico).")
    List<String> engines;

    @Option(names = "--timeout", defaultValue = "60", description = "Seconds one TTS call may take (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--sentences", paramLabel = "FILE", description = "Speak the sentences of FILE (UTF-8, one per line, "
            + "filtered and normalized on read like the installed sources) instead of fortunes and WordNet; for machines "
            + "without those packages (ci/gpu/pack-tts.sh writes one).")
    Path sentencesFile;

    @Option(names = "--exclude-voices", paramLabel = "FILE", description = "Never use the voices that FILE holds out "
            + "(repeatable): a corpus.json (its valid and test voices), a manifest (.jsonl: every line's voice) or a list "
            + "(engine:name per line). Keeps other corpora's evaluation voices unheard when synthesizing more training data.")
    List<Path> excludeVoices;

    @Option(names = "--exclude-sentences", paramLabel = "FILE", description = "Never speak the sentences that FILE "
            + "holds (repeatable): a manifest (.jsonl: every utterance's and segment's text) or a text file (one sentence "
            + "per line). Keeps other corpora's evaluation sentences unheard, like --exclude-voices their voices.")
    List<Path> excludeSentences;

    @Option(names = "--pitch-range", paramLabel = "MIN,MAX", split = ",", description = "Pitch factors drawn per "
            + "utterance (default: 0.85,1.15). Where an engine has no pitch control the shift comes from playing the "
            + "samples faster or slower, which moves the formants too: a wider range makes a few voices sound like more speakers.")
    List<Double> pitchRange;

    @Option(names = "--formant-range", paramLabel = "MIN,MAX", split = ",", description = "Formant factors drawn per "
            + "utterance (default: 1,1, none): above 1 sounds like a shorter vocal tract, below 1 a longer one. Set apart "
            + "from the pitch where the engine controls its pitch (espeak-ng and its MBROLA voices, festival's diphone "
            + "voices); elsewhere the formants follow the pitch factor. Makes more speakers of an engine's few voices. "
            + "Without it festival's diphone voices move their formants with the pitch, as corpora made before it did.")
    List<Double> formantRange;

    @Option(names = "--rate-range", paramLabel = "MIN,MAX", split = ",", description = "Speaking-rate factors drawn per "
            + "utterance (default: 0.85,1.15).")
    List<Double> rateRange;

    @Option(names = "--all-train", description = "Put every voice into the training split (valid.jsonl and test.jsonl "
            + "stay empty): for a corpus that only adds speakers to another's training set, whose evaluation voices are "
            + "kept out with --exclude-voices. Without it, an engine with 3 or more voices gives some to valid and test.")
    boolean allTrain;

    @Option(names = "--accented-mbrola", description = "Also espeak-ng's English voices of non-English MBROLA speakers "
            + "(mb-de1-en, mb-fr4-en, mb-nl2-en...; their mbrola-XX packages installed): English in those speakers' "
            + "accents and timbres, more diphone speakers to learn from. Off by default, so that a seed splits the voices "
            + "of a corpus made before as it did.")
    boolean accentedMbrola;

    @Option(names = "--accented-festival", description = "Also festival's non-English diphone speakers speaking English "
            + "(el_diphone-en, suo_fi_lj_diphone-en, czech_ph-en...; festvox-ellpc11k, festvox-suopuhe-*, "
            + "festvox-czech-* installed: ci/install-tts.sh --accented-festival-voices): kal_diphone's English mapped "
            + "onto their phones, more speakers of the LPC diphone kind. Off by default, as --accented-mbrola.")
    boolean accentedFestival;

    @Option(names = "--random-espeak-speakers", paramLabel = "N", defaultValue = "0", description = "Also N synthetic "
            + "espeak-ng speakers beyond its shipped variants (default: ${DEFAULT-VALUE}): each an English accent with a "
            + "variant file drawn from the seed (pitch, the nine formants' frequency, strength and width, voicing, "
            + "breathiness, roughness, a Klatt source...), named en-us+rndK-sSEED so the name re-makes the speaker. "
            + "More kinds of formant-synthesis speaker than the ~100 shipped variants.")
    int randomEspeakSpeakers;

    @Option(names = "--voices", paramLabel = "REGEX", description = "Only the voices whose id (engine:name, as in the "
            + "manifests' voice field) matches REGEX in full, e.g. 'espeak-ng:mb-.*-en'.")
    String voicePattern;

    @Option(names = "--no-progress", description = "Do not draw the progress bar on stderr.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        if (hours < 0) throw new IllegalArgumentException("--hours must not be negative, got " + hours);
        if (randomEspeakSpeakers < 0) throw new IllegalArgumentException("--random-espeak-speakers must not be negative, got " + randomEspeakSpeakers);
        int jobCount = jobs != null ? jobs : 2 * Runtime.getRuntime().availableProcessors();
        CorpusSynthesizer.Settings d = CorpusSynthesizer.Settings.of(out, hours * 3600, utterances, seed, jobCount, noiseProb);
        double[] rates = range("--rate-range", rateRange, d.minRate(), d.maxRate());
        double[] pitches = range("--pitch-range", pitchRange, d.minPitch(), d.maxPitch());
        double[] formants = range("--formant-range", formantRange, d.minFormant(), d.maxFormant());
        CorpusSynthesizer.Settings s = new CorpusSynthesizer.Settings(out, hours * 3600, utterances, seed, jobCount, noiseProb,
                d.minSnrDb(), d.maxSnrDb(), rates[0], rates[1], pitches[0], pitches[1], espeakVariants,
                allTrain ? 0 : d.validFraction(), allTrain ? 0 : d.testFraction(), timeout, engines,
                excludeVoices == null ? Set.of() : HeldOutVoices.read(excludeVoices), formants[0], formants[1]);
        Set<String> heldOutSentences = excludeSentences == null ? Set.of() : HeldOutSentences.read(excludeSentences);
        PrintWriter log = spec.commandLine().getOut();
        List<String> sentences;
        if (sentencesFile != null) {
            try {
                sentences = SentenceSource.fromFile(sentencesFile);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--sentences: " + e.getMessage(), e);
            }
            log.printf(Locale.ROOT, "%d candidate sentences from %s%n", sentences.size(), sentencesFile);
        } else {
            sentences = SentenceSource.loadInstalled();
            log.printf(Locale.ROOT, "%d candidate sentences from %s and %s%n", sentences.size(), SentenceSource.FORTUNES, SentenceSource.WORDNET);
        }
        if (!heldOutSentences.isEmpty()) {
            int before = sentences.size();
            sentences = HeldOutSentences.without(sentences, heldOutSentences);
            log.printf(Locale.ROOT, "dropped %d of %d candidate sentences that %d held-out texts hold%n", before - sentences.size(),
                    before, heldOutSentences.size());
            if (sentences.isEmpty()) throw new IllegalArgumentException("--exclude-sentences: no candidate sentence is left to speak");
        }
        log.flush();
        List<TtsEngine> ttsEngines = TtsEngines.all(espeakVariants, seed, accentedMbrola, accentedFestival, randomEspeakSpeakers);
        if (voicePattern != null) ttsEngines = TtsEngines.onlyVoices(ttsEngines, voicePattern(voicePattern));
        CorpusSynthesizer.Report r = new CorpusSynthesizer(s, ttsEngines, sentences,
                noProgress ? null : System.err).run();
        for (String note : r.notes()) {
            if ((note.startsWith("skipped ") && !note.startsWith("skipped utterance")) || note.startsWith("excluded ")) log.println(note);
        }
        log.printf(Locale.ROOT, "%d utterances, %.3f h of audio in %.1f s wall (%d failed and skipped)%n", r.kept(), r.seconds() / 3600,
                r.wallSeconds(), r.failed());
        for (Split sp : Split.values()) {
            long voices = r.voices().values().stream().filter(x -> x == sp).count();
            log.printf(Locale.ROOT, "  %-5s %5d utterances %7.3f h  %3d voices  -> %s%n", sp.name().toLowerCase(Locale.ROOT),
                    r.utterancesPerSplit().get(sp), r.secondsPerSplit().get(sp) / 3600, voices, out.resolve(sp.fileName()));
        }
        log.flush();
        return 0;
    }

    static Pattern voicePattern(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("--voices: '" + regex + "' is not a regular expression: " + e.getDescription(), e);
        }
    }

    /** {@code MIN,MAX} of a factor option, or the default when the option is absent. */
    static double[] range(String option, List<Double> given, double defaultMin, double defaultMax) {
        if (given == null) return new double[] {defaultMin, defaultMax};
        if (given.size() != 2) {
            throw new IllegalArgumentException(option + " takes two factors MIN,MAX, got " + given.size() + ": " + given);
        }
        double min = given.get(0), max = given.get(1);
        if (!(min >= 0.5 && min <= max && max <= 2.0)) {
            throw new IllegalArgumentException(option + " must be MIN,MAX with 0.5 <= MIN <= MAX <= 2, got " + min + "," + max);
        }
        return new double[] {min, max};
    }
}
