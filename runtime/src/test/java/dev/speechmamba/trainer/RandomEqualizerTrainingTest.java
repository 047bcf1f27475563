package dev.speechmamba.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --random-eq DB}: training features pass a random equalizer, and its range is part of the resume plan. */
class RandomEqualizerTrainingTest {

    @Test
    void theEqualizerChangesTheTrainingLossAndIsPartOfTheResumePlan(@TempDir Path dir) throws Exception {
        TrainOptions base = ToneCorpus.twoStepTinyRun(dir, "plain");
        Trainer.Result plain = new Trainer(base).run();

        TrainOptions equalized = base.withOut(dir.resolve("eq")).withRandomEqualizer(6);
        Trainer.Result eq = new Trainer(equalized).run();
        assertEquals(2, eq.steps());
        for (double loss : eq.trainLosses()) assertTrue(Double.isFinite(loss), "loss " + loss);
        // Same weights, data order and dropout: only the spectrum differs, so the first loss does too.
        assertNotEquals(plain.trainLosses().getFirst(), eq.trainLosses().getFirst());

        TrainOptions resumedPlain = equalized.withRandomEqualizer(0).withMaxSteps(4).withResume(true);
        Exception e = assertThrows(Exception.class, () -> new Trainer(resumedPlain).run());
        assertTrue(String.valueOf(e.getMessage()).contains("random_eq_db=6.0"), e.getMessage());
    }

    @Test
    void badGainsAreClearErrors(@TempDir Path dir) {
        TrainOptions base = TrainOptions.defaults("tiny", dir.resolve("t.jsonl"), null, dir.resolve("out"));
        for (double bad : new double[] {-1, 0.2, 30}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.withRandomEqualizer(bad));
            assertTrue(e.getMessage().contains("--random-eq must be 0 (off) or a largest gain in [0.5, 20] dB, got " + bad),
                    e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
