package dev.speechmamba.cli;

import dev.speechmamba.adapt.SpeakerAdaptation;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.TranscribeOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "adapt", mixinStandardHelpOptions = true,
        description = {"Adapt a model to one speaker without transcripts: transcribe the speaker's recordings, fine-tune "
                + "the model for a few steps on its own transcripts of them, and write the adapted model folder "
                + "(with the model's LM and lexicon) for 'transcribe --model OUT'.",
                "Give recordings of one speaker only (one long recording, or several short ones)."})
final class AdaptCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Recordings of the speaker (WAV/FLAC files or folders).")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder for the adapted model; must be new or empty.")
    Path out;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model to adapt (default: as transcribe chooses: $" + ModelSource.MODEL_ENV
                    + ", ./model, else the bundled model).")
    Path model;

    @Option(names = "--steps", defaultValue = "40", description = "Fine-tuning steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--lr", defaultValue = "1e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--batch-seconds", defaultValue = "60", description = "Padded audio seconds per step (default: ${DEFAULT-VALUE}).")
    double batchSeconds;

    @Option(names = "--vtlp", defaultValue = "0.1", description = "Vocal-tract length perturbation while adapting (default: ${DEFAULT-VALUE}).")
    double vtlp;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of data order and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--beam", defaultValue = "" + BeamSearch.Options.DEFAULT_BEAM_SIZE, description = "Beam size of the first pass (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "NAME",
            description = "Backend for both passes: reference, cpu, cuda or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--freeze", paramLabel = "REGEX",
            description = "Adapt only the parameters whose names do not match this regular expression, e.g. 'decoder\\..*' "
                    + "(model-info lists the names; default: adapt all).")
    String freeze;

    @Option(names = "--keep-work", description = "Keep the first pass's segments, pseudo-labels and training folder in OUT/work.")
    boolean keepWork;

    @Option(names = "--quiet", description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    BeamSearchOptions beamSearch;

    @Mixin
    SegmentationOptions segmentation;

    @Mixin
    LanguageModelOptions languageModel;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SpeakerAdaptation.Options options;
        try {
            options = new SpeakerAdaptation.Options(steps, lr, SpeakerAdaptation.Options.defaults().warmupSteps(),
                    batchSeconds, vtlp, seed, device, keepWork, freeze);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        if (beam < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--beam must be at least 1, got " + beam);
        TranscribeOptions decoding = TranscribeOptions.defaults()
                .withDecoder(TranscribeOptions.Decoder.BEAM)
                .withBeam(beamSearch.applyTo(BeamSearch.Options.defaults().withBeamSize(beam)));
        decoding = languageModel.applyTo(segmentation.applyTo(decoding));
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) files.addAll(TranscribeCommand.audioFiles(p));
        if (files.isEmpty()) throw new CommandLine.ParameterException(spec.commandLine(), "no WAV or FLAC files in " + inputs);
        ModelSource source = ModelSource.resolve(model);
        PrintWriter stdout = spec.commandLine().getOut(), stderr = spec.commandLine().getErr();
        if (!quiet) {
            stderr.println("speech-mamba: " + source.describe());
            stderr.flush();
        }
        SpeakerAdaptation.Result r = SpeakerAdaptation.run(source, files, out, decoding, options, quiet ? null : System.err);
        stdout.printf(Locale.ROOT, "adapted on %d segments (%.1f min) of %d recording%s in %d steps; model: %s%n",
                r.segments(), r.seconds() / 60, files.size(), files.size() == 1 ? "" : "s", r.steps(), r.model());
        stdout.printf(Locale.ROOT, "transcribe with: speech-mamba transcribe --model %s FILE...%n", r.model());
        stdout.flush();
        return 0;
    }
}
