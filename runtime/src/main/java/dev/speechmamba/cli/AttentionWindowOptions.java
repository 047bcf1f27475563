package dev.speechmamba.cli;

import dev.speechmamba.model.AsrModel;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Limited-context encoder attention at inference (options shared by {@code transcribe} and {@code serve}). */
final class AttentionWindowOptions {
    @Option(names = "--attention-window", defaultValue = "-1", paramLabel = "FRAMES",
            description = "Limit encoder self-attention to ±FRAMES encoder frames (40 ms each), so long recordings cost "
                    + "linear time; -1 = full attention as trained (default: ${DEFAULT-VALUE}).")
    int attentionWindow;

    @Option(names = "--global-tokens", defaultValue = "0", paramLabel = "N",
            description = "With --attention-window: the first N encoder frames attend to, and are attended by, "
                    + "every frame (default: ${DEFAULT-VALUE}).")
    int globalTokens;

    /** A contradictory or out-of-range pair is a usage error naming the option. */
    void validate(CommandLine commandLine) {
        if (attentionWindow < -1) {
            throw new CommandLine.ParameterException(commandLine,
                    "--attention-window must be >= 0 frames or -1, got " + attentionWindow);
        }
        if (globalTokens < 0) {
            throw new CommandLine.ParameterException(commandLine, "--global-tokens must be >= 0, got " + globalTokens);
        }
        if (globalTokens > 0 && attentionWindow < 0) {
            throw new CommandLine.ParameterException(commandLine,
                    "--global-tokens needs --attention-window (full attention already sees every frame)");
        }
    }

    void applyTo(AsrModel model) { model.setEncoderAttentionWindow(attentionWindow, globalTokens); }
}
