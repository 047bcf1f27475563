package dev.speechmamba.cli;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.Fbank;
import dev.speechmamba.audio.Features;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Computes Kaldi-compatible log-mel features of one WAV or FLAC file and saves them as a NumPy .npy array. */
@Command(name = "fbank", mixinStandardHelpOptions = true,
        description = {"Compute 80-bin Kaldi-compatible log-mel filterbank features (25 ms / 10 ms frames) of a WAV or FLAC file",
                "and write them as float32 [frames, 80] in NumPy .npy format. Any channel count is mixed to mono and",
                "any sample rate is resampled to 16 kHz first. Matches torchaudio.compliance.kaldi.fbank(wav * 32768,",
                "num_mel_bins=80, dither=0.0)."})
final class FbankCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN.wav", description = "Input audio: WAV (PCM 8/16/24/32-bit, float 32/64-bit) or FLAC.")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "OUT.npy", description = "Output .npy file.")
    Path output;

    @Option(names = "--mel-bins", defaultValue = "80", description = "Number of mel bins (default: ${DEFAULT-VALUE}).")
    int melBins;

    @Option(names = "--cmvn", paramLabel = "STATS.json",
            description = "Normalize with global mean/variance statistics saved by the training pipeline.")
    Path cmvn;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Audio original = AudioFiles.readMono(input);
        Audio audio = original.to16k();
        Features features = new Fbank(melBins).compute(audio);
        if (cmvn != null) GlobalCmvn.load(cmvn).applyInPlace(features);
        Npy.write(output, features);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s: %d Hz, %.3f s -> %s [%d, %d]%n", input, original.sampleRate(), original.duration(),
                output, features.frames(), features.dims());
        out.flush();
        return 0;
    }
}
