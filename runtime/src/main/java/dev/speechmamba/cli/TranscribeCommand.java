package dev.speechmamba.cli;

import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcript;
import dev.speechmamba.transcribe.TranscriptFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** Transcribes audio files (and folders of them) with a trained model. */
@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = {"Transcribe WAV or FLAC files (folders are searched recursively) with a trained model folder.",
                "The encoder runs over each whole recording; long recordings are decoded segment by segment along",
                "pauses found by CTC. Word times come from the CTC alignment. A file that fails prints one error",
                "line naming it; the others are still transcribed (exit status 1 if any failed)."})
final class TranscribeCommand implements Callable<Integer> {

    /** Environment variable naming the default model folder. */
    static final String MODEL_ENV = ModelSource.MODEL_ENV;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Audio files or folders.")
    List<Path> inputs;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model folder (model.safetensors with config, tokenizer and CMVN) or a .safetensors file."
                    + " Default: $" + MODEL_ENV + ", else ./model if it exists, else the model bundled in the jar.")
    Path model;

    @Option(names = "--format", defaultValue = "text", paramLabel = "FMT",
            description = "text, json (segments and words with times and a confidence in [0, 1]), srt or vtt (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--decoder", defaultValue = "beam", paramLabel = "KIND",
            description = "greedy (CTC) or beam (joint CTC/attention) (default: ${DEFAULT-VALUE}).")
    String decoder;

    @Option(names = "--beam", defaultValue = "" + BeamSearch.Options.DEFAULT_BEAM_SIZE, description = "Beam size (default: ${DEFAULT-VALUE}).")
    int beam;

    @Mixin
    BeamSearchOptions beamSearch;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "NAME",
            description = "Backend: reference, cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch", defaultValue = "8", description = "Recordings encoded together (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    AttentionWindowOptions attention;

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Write NAME.<txt|json|srt|vtt> per input into DIR instead of printing.")
    Path outputDir;

    @Mixin
    SegmentationOptions segmentation;

    @Mixin
    LanguageModelOptions languageModel;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        TranscriptFormat fmt = TranscriptFormat.parse(format);
        attention.validate(spec.commandLine());
        TranscribeOptions options = TranscribeOptions.defaults()
                .withDecoder(TranscribeOptions.Decoder.parse(decoder))
                .withBeam(beamSearch.applyTo(BeamSearch.Options.defaults().withBeamSize(beam)));
        options = languageModel.applyTo(segmentation.applyTo(options.withMaxBatch(batch)));
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) files.addAll(audioFiles(p));
        if (files.size() > 1 && outputDir == null && (fmt == TranscriptFormat.SRT || fmt == TranscriptFormat.VTT)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format " + format
                    + " with " + files.size() + " files needs --output-dir (one subtitle file per recording)");
        }
        ModelSource source = ModelSource.resolve(model);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (model == null) {
            // Chosen implicitly, so say which one; on stderr, so that stdout stays exactly the transcript.
            err.println("speech-mamba: " + source.describe());
            err.flush();
        }
        int failures = 0;
        try (Backend backend = Backends.create(device);
             Transcriber transcriber = Transcriber.load(source, backend, options)) {
            attention.applyTo(transcriber.model());
            if (languageModel.file == null && transcriber.languageModel().isPresent()) {
                // The model's own LM was picked up implicitly: say so (stderr, like the model line).
                err.println("speech-mamba: " + LanguageModelOptions.describe(transcriber.languageModel(), "of the model",
                        transcriber.options().beam().lmWeight()) + " (--no-lm to decode without it)");
                err.flush();
            }
            if (languageModel.lexiconFile == null && transcriber.lexicon().isPresent()) {
                err.println("speech-mamba: " + LanguageModelOptions.describeLexicon(transcriber.lexicon(), "of the model",
                        options.beam().unknownWordPenalty()) + " (--no-lexicon to decode without it)");
                err.flush();
            }
            if (languageModel.neuralFile == null && transcriber.neuralLm().isPresent()) {
                err.println("speech-mamba: " + LanguageModelOptions.describeNeural(transcriber.neuralLm(), "of the model",
                        options.beam().neuralLmWeight()) + " (--no-neural-lm to decode without it)");
                err.flush();
            }
            for (int from = 0; from < files.size(); from += batch) {
                List<Path> group = files.subList(from, Math.min(files.size(), from + batch));
                List<Path> read = new ArrayList<>();
                List<float[]> audio = new ArrayList<>();
                for (Path f : group) {
                    try {
                        audio.add(AudioFiles.read16kMono(f).samples());
                        read.add(f);
                    } catch (IOException | RuntimeException e) {
                        failures++;
                        reportFailure(err, f, e);
                    }
                }
                List<Transcript> results;
                try {
                    results = transcriber.transcribe(audio);
                } catch (RuntimeException e) {
                    // Retry one by one so that the error names the recording that caused it.
                    results = new ArrayList<>();
                    for (int i = 0; i < read.size(); i++) {
                        try {
                            results.add(transcriber.transcribe(audio.get(i)));
                        } catch (RuntimeException single) {
                            failures++;
                            reportFailure(err, read.get(i), single);
                            results.add(null);
                        }
                    }
                }
                for (int i = 0; i < read.size(); i++) {
                    if (results.get(i) == null) continue;
                    try {
                        emit(out, fmt, read.get(i), results.get(i), files.size() > 1);
                    } catch (IOException e) {
                        failures++;
                        reportFailure(err, read.get(i), e);
                    }
                }
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : Main.EXIT_FAILURE;
    }

    private void emit(PrintWriter out, TranscriptFormat fmt, Path file, Transcript t, boolean several) throws IOException {
        String text = fmt.format(t, file.toString());
        if (outputDir != null) {
            Files.createDirectories(outputDir);
            String name = file.getFileName().toString();
            int dot = name.lastIndexOf('.');
            Path target = outputDir.resolve((dot > 0 ? name.substring(0, dot) : name) + "." + fmt.extension());
            Files.writeString(target, text);
        } else if (fmt == TranscriptFormat.TEXT && several) {
            out.print(file + ": " + text);
        } else {
            out.print(text);
        }
        out.flush();
    }

    private static void reportFailure(PrintWriter err, Path file, Exception e) {
        String message = Main.describe(e);
        if (!message.contains(file.toString())) message = file + ": " + message;
        err.println("speech-mamba: error: " + message);
        err.flush();
    }

    /** A file, or the WAV/FLAC files under a folder in name order. */
    static List<Path> audioFiles(Path p) throws IOException {
        if (!Files.isDirectory(p)) return List.of(p);
        try (Stream<Path> walk = Files.walk(p)) {
            return walk.filter(Files::isRegularFile).filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return n.endsWith(".wav") || n.endsWith(".flac");
            }).sorted().toList();
        }
    }
}
