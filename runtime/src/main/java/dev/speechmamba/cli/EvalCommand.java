package dev.speechmamba.cli;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.trainer.Evaluator;
import dev.speechmamba.trainer.FeaturePipeline;
import dev.speechmamba.trainer.ModelBundle;
import dev.speechmamba.trainer.Utterance;
import dev.speechmamba.text.WordErrorRate;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code speech-mamba eval}: word error rate of a trained model on a manifest. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Decode every utterance of a manifest and print the WER with substitution, deletion and "
                + "insertion counts: CTC greedy search by default, joint CTC/attention beam search with --beam N."})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE",
            description = "A training output folder (its model.safetensors) or a model/checkpoint file.")
    Path model;

    @Option(names = "--manifest", required = true, paramLabel = "MANIFEST", description = "Manifest (JSONL) to score.")
    Path manifest;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda, reference or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-seconds", defaultValue = "120", description = "Padded audio seconds per batch (default: ${DEFAULT-VALUE}).")
    double batchSeconds;

    @Option(names = "--threads", description = "Feature-extraction threads (default: half the cores).")
    Integer threads;

    @Option(names = "--beam", paramLabel = "N",
            description = "Joint CTC/attention beam search with N hypotheses (CTC weight: --ctc-weight) instead of CTC greedy.")
    Integer beam;

    @Mixin
    BeamSearchOptions beamSearch;

    @Mixin
    SegmentationOptions segmentation;

    @Option(names = "--by-voice", description = "Also print the WER of each voice in the manifest, worst first.")
    boolean byVoice;

    @Option(names = "--exclude-voice", paramLabel = "VOICE",
            description = "Leave this voice's utterances out of the score (repeatable), e.g. a test voice whose speaker "
                    + "was trained on under another voice name.")
    List<String> excludedVoices = new ArrayList<>();

    @Option(names = "--show-errors", defaultValue = "0", paramLabel = "N",
            description = "Also print up to N utterances whose hypothesis differs from the reference.")
    int showErrors;

    @Mixin
    LanguageModelOptions languageModel;

    @Mixin
    AttentionWindowOptions attention;

    @Override
    public Integer call() throws Exception {
        languageModel.validate(beam != null);
        attention.validate(spec.commandLine());
        Optional<NgramLm> lm = beam == null ? Optional.empty() : languageModel.load(model);
        Optional<Lexicon> lexicon = beam == null ? Optional.empty() : languageModel.loadLexicon(model);
        Optional<Checkpoint> neuralWeights = beam == null ? Optional.empty() : languageModel.loadNeural(model);
        List<ManifestEntry> entries = new ArrayList<>(Manifest.read(manifest));
        List<Utterance> utterances = new ArrayList<>(Utterance.fromEntries(manifest, entries));
        excludeVoices(utterances, entries);
        int workers = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        PrintWriter out = spec.commandLine().getOut();
        try (Backend backend = Backends.create(device); ModelBundle bundle = ModelBundle.load(model, backend);
             NeuralLm neural = neuralWeights.map(w -> NeuralLm.fromCheckpoint(backend, w)).orElse(null)) {
            attention.applyTo(bundle.model()); // hour-long recordings need it on a CPU: full attention is quadratic
            TranscribeOptions decoding = decodingOptions(lm, lexicon, Optional.ofNullable(neural));
            FeaturePipeline features = new FeaturePipeline(bundle.model().config().featureDim(), bundle.cmvn(), null, false)
                    .withSpeechLevel(decoding.speechLevel());
            long start = System.nanoTime();
            // Plain CTC greedy scores whole recordings in batches; beam search, or asking for segment encoding,
            // decodes the way transcribe does.
            boolean throughTranscriber = beam != null || spec.commandLine().getParseResult().hasMatchedOption("--encode-segments");
            Evaluator.Result r = throughTranscriber ? transcribeAll(bundle, utterances, decoding, lm, lexicon, Optional.ofNullable(neural))
                    : Evaluator.run(bundle.model(), bundle.tokenizer(), features, utterances, batchSeconds, workers, false);
            double seconds = (System.nanoTime() - start) / 1e9;
            var c = r.counts();
            out.printf(Locale.ROOT, "WER %.2f%% (%d errors / %d words): S=%d D=%d I=%d; %d utterances, %.1f s, model %s, decoding: %s%n",
                    100 * r.wer(), c.errors(), c.referenceWords(), c.substitutions(), c.deletions(), c.insertions(),
                    utterances.size(), seconds, bundle.file(),
                    (beam == null ? "CTC greedy" : "joint CTC/attention beam " + beam + ", CTC weight " + decoding.beam().ctcWeight()
                            + (decoding.beam().lengthBonus() != 0 ? ", length bonus " + decoding.beam().lengthBonus() : "") + ", "
                            + LanguageModelOptions.describe(lm, languageModel.origin(model), decoding.beam().lmWeight()) + ", "
                            + LanguageModelOptions.describeLexicon(lexicon, languageModel.lexiconOrigin(model),
                            languageModel.penaltyFor(lexicon))
                            + (neural == null ? "" : ", " + LanguageModelOptions.describeNeural(Optional.of(neural),
                            languageModel.neuralOrigin(model), languageModel.neuralWeightFor(neuralWeights))))
                            + (attention.attentionWindow >= 0 ? ", encoder attention window " + attention.attentionWindow
                            + (attention.globalTokens > 0 ? " + " + attention.globalTokens + " global tokens" : "") : "")
                            + (throughTranscriber ? segmentation.encodeSegments ? ", segments encoded on their own"
                            : ", segments decoded from the whole-recording pass" : "")
                            + decoding.speechLevel().map(range -> ", speech kept within " + range).orElse(", speech at its recorded level"));
            WordErrorRate.Counts chars = WordErrorRate.Counts.ZERO;
            for (int i = 0; i < utterances.size(); i++) {
                chars = chars.plus(WordErrorRate.countCharacters(utterances.get(i).text(), r.hypotheses().get(i)));
            }
            out.printf(Locale.ROOT, "CER %.2f%% (%d errors / %d characters): S=%d D=%d I=%d%n", 100 * chars.wer(), chars.errors(),
                    chars.referenceWords(), chars.substitutions(), chars.deletions(), chars.insertions());
            if (!excludedVoices.isEmpty()) out.println("voices left out: " + String.join(", ", excludedVoices));
            if (byVoice) printByVoice(out, utterances, entries, r.hypotheses());
            int shown = 0;
            for (int i = 0; i < utterances.size() && shown < showErrors; i++) {
                if (!utterances.get(i).text().strip().equals(r.hypotheses().get(i).strip())) {
                    out.printf("REF: %s%nHYP: %s%n", utterances.get(i).text(), r.hypotheses().get(i));
                    shown++;
                }
            }
        }
        out.flush();
        return 0;
    }

    /** WER per voice (the manifest's "voice" field), worst first: which held-out voices the model fails on. */
    private static void printByVoice(PrintWriter out, List<Utterance> utterances, List<ManifestEntry> entries,
                                     List<String> hypotheses) {
        Map<String, WordErrorRate.Counts> counts = new TreeMap<>();
        Map<String, Integer> sizes = new TreeMap<>();
        for (int i = 0; i < utterances.size(); i++) {
            String voice = entries.get(i).voice() == null ? "(no voice)" : entries.get(i).voice();
            counts.merge(voice, WordErrorRate.count(utterances.get(i).text(), hypotheses.get(i)), WordErrorRate.Counts::plus);
            sizes.merge(voice, 1, Integer::sum);
        }
        out.printf(Locale.ROOT, "%-44s %6s %7s %8s%n", "voice", "utts", "words", "WER");
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, WordErrorRate.Counts>comparingByValue(
                        java.util.Comparator.comparingDouble(WordErrorRate.Counts::wer)).reversed())
                .forEach(e -> out.printf(Locale.ROOT, "%-44s %6d %7d %7.2f%%%n", e.getKey(), sizes.get(e.getKey()),
                        e.getValue().referenceWords(), 100 * e.getValue().wer()));
    }

    /** Drops the utterances of --exclude-voice voices; a voice the manifest does not have is a (likely typo) error. */
    private void excludeVoices(List<Utterance> utterances, List<ManifestEntry> entries) {
        if (excludedVoices.isEmpty()) return;
        java.util.Set<String> present = new java.util.TreeSet<>();
        for (ManifestEntry e : entries) if (e.voice() != null) present.add(e.voice());
        for (String v : excludedVoices) {
            if (!present.contains(v)) {
                throw new IllegalArgumentException("--exclude-voice " + v + ": no utterance of " + manifest
                        + " has that voice (its voices: " + String.join(", ", present) + ")");
            }
        }
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).voice() != null && excludedVoices.contains(entries.get(i).voice())) {
                entries.remove(i);
                utterances.remove(i);
            }
        }
        if (utterances.isEmpty()) {
            throw new IllegalArgumentException("--exclude-voice leaves no utterance of " + manifest + " to score");
        }
    }

    /**
     * The options {@code transcribe} would decode with: the LM weight and length bonus as given, or their defaults for a
     * beam search with or without the neural LM ({@link TranscribeOptions#besideNeuralLm}).
     */
    private TranscribeOptions decodingOptions(Optional<NgramLm> lm, Optional<Lexicon> lexicon, Optional<NeuralLm> neural)
            throws java.io.IOException {
        if (beam != null && beam < 1) throw new IllegalArgumentException("--beam must be >= 1, got " + beam);
        TranscribeOptions options = TranscribeOptions.defaults().withDecoder(
                beam == null ? TranscribeOptions.Decoder.GREEDY : TranscribeOptions.Decoder.BEAM);
        if (beam != null) {
            options = options.withBeam(beamSearch.applyTo(TranscribeOptions.defaults().beam().withBeamSize(beam))
                    .withLmWeight(lm.isPresent() ? languageModel.weight : 0)
                    .withUnknownWordPenalty(languageModel.penaltyFor(lexicon)).withNeuralLmWeight(languageModel.neuralWeightFor(neural)));
        }
        options = segmentation.applyTo(options).withFusionDefaults(languageModel.fusionDefaults());
        return options.besideNeuralLm(neural.isPresent());
    }

    /**
     * Decodes through the transcriber, as {@code transcribe} does: long recordings are segmented along CTC
     * pauses; beam search when --beam is given, else CTC greedy per segment.
     */
    private Evaluator.Result transcribeAll(ModelBundle bundle, List<Utterance> utterances, TranscribeOptions options,
                                           Optional<NgramLm> lm, Optional<Lexicon> lexicon, Optional<NeuralLm> neural)
            throws java.io.IOException {
        List<String> hypotheses = new ArrayList<>();
        WordErrorRate.Counts counts = WordErrorRate.Counts.ZERO;
        try (Transcriber transcriber = new Transcriber(bundle.model(), bundle.tokenizer(), bundle.cmvn(), options, lm.orElse(null),
                lexicon.orElse(null), neural.orElse(null))) {
            for (Utterance u : utterances) {
                String hyp = transcriber.transcribe(FeaturePipeline.readAudio(u).samples()).text();
                hypotheses.add(hyp);
                counts = counts.plus(WordErrorRate.count(u.text(), hyp));
            }
        }
        return new Evaluator.Result(Double.NaN, counts, hypotheses);
    }
}
