package dev.speechmamba.transcribe;

import dev.speechmamba.decode.BeamSearch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class TranscribeOptionsTest {

    @Test
    void defaultWeightsBecomeTheOnesTunedBesideANeuralLmOnlyWhenOneIsFused() {
        TranscribeOptions d = TranscribeOptions.defaults();
        assertEquals(TranscribeOptions.DEFAULT_LM_WEIGHT, d.beam().lmWeight());
        assertEquals(BeamSearch.Options.DEFAULT_LENGTH_BONUS, d.beam().lengthBonus());
        assertEquals(BeamSearch.Options.DEFAULT_CTC_WEIGHT, d.beam().ctcWeight());
        assertSame(d, d.besideNeuralLm(false));

        TranscribeOptions fused = d.besideNeuralLm(true);
        assertEquals(TranscribeOptions.DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM, fused.beam().lmWeight());
        assertEquals(BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM, fused.beam().lengthBonus());
        assertEquals(BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM, fused.beam().ctcWeight());
        // A neural LM loaded but weighted 0 is not fused: nothing changes.
        TranscribeOptions unweighted = d.withBeam(d.beam().withNeuralLmWeight(0));
        assertEquals(unweighted.beam(), unweighted.besideNeuralLm(true).beam());
        // Resolved once: a second call changes nothing.
        assertEquals(fused.beam(), fused.besideNeuralLm(true).beam());
    }

    @Test
    void aWeightTheCallerChoseStaysAsChosen() {
        TranscribeOptions d = TranscribeOptions.defaults();
        TranscribeOptions lm = d.withBeam(d.beam().withLmWeight(0.7)).besideNeuralLm(true);
        assertEquals(0.7, lm.beam().lmWeight());
        assertEquals(BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM, lm.beam().lengthBonus());

        TranscribeOptions bonus = d.withBeam(d.beam().withLengthBonus(0.5)).besideNeuralLm(true);
        assertEquals(TranscribeOptions.DEFAULT_LM_WEIGHT_BESIDE_NEURAL_LM, bonus.beam().lmWeight());
        assertEquals(0.5, bonus.beam().lengthBonus());
        assertEquals(BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM, bonus.beam().ctcWeight());

        TranscribeOptions ctc = d.withBeam(d.beam().withCtcWeight(0.6)).besideNeuralLm(true);
        assertEquals(0.6, ctc.beam().ctcWeight());
        assertEquals(BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM, ctc.beam().lengthBonus());

        // Given explicitly at the alone-default's value (as the command line marks it): kept too.
        TranscribeOptions explicit = d.withFusionDefaults(TranscribeOptions.FusionDefaults.NONE).besideNeuralLm(true);
        assertEquals(d.beam(), explicit.beam());
    }

    @Test
    void withoutAnNgramLmTheWeightStaysZero() {
        TranscribeOptions d = TranscribeOptions.defaults();
        TranscribeOptions noLm = d.withBeam(d.beam().withLmWeight(0)).withFusionDefaults(TranscribeOptions.FusionDefaults.ALL)
                .besideNeuralLm(true);
        assertEquals(0, noLm.beam().lmWeight());
    }
}
