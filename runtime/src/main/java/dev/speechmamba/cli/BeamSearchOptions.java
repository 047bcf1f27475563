package dev.speechmamba.cli;

import dev.speechmamba.decode.BeamSearch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * How joint CTC/attention beam search scores its hypotheses (shared by transcribe, eval, serve and adapt). The beam
 * size stays with each command: eval decodes greedily unless it is given, the others default to
 * {@link BeamSearch.Options#DEFAULT_BEAM_SIZE}.
 */
final class BeamSearchOptions {
    @Option(names = "--ctc-weight", paramLabel = "W", defaultValue = "" + BeamSearch.Options.DEFAULT_CTC_WEIGHT,
            description = "Weight of the CTC prefix score in beam search, from 0 to 1; the attention decoder gets the rest "
                    + "(default: ${DEFAULT-VALUE}; " + BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM + " beside a neural LM).")
    double ctcWeight;

    @Option(names = "--length-bonus", paramLabel = "B", defaultValue = "" + BeamSearch.Options.DEFAULT_LENGTH_BONUS,
            description = "Score added per token in beam search (default: ${DEFAULT-VALUE}; "
                    + BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM + " beside a neural LM).")
    double lengthBonus;

    @Option(names = "--normalize-length", description = "Rank ended beam hypotheses by score per token.")
    boolean normalizeLength;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** {@code beam} with these weights; a value {@link BeamSearch.Options} refuses is a usage error naming the option. */
    BeamSearch.Options applyTo(BeamSearch.Options beam) {
        try {
            beam = beam.withCtcWeight(ctcWeight);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--ctc-weight: " + e.getMessage());
        }
        try {
            beam = beam.withLengthBonus(lengthBonus);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--length-bonus: " + e.getMessage());
        }
        return beam.withNormalizeLength(normalizeLength);
    }
}
