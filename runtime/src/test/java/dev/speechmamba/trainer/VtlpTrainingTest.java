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

/** {@code train --vtlp W}: training features are VTLP-warped, and the warp range is part of the resume plan. */
class VtlpTrainingTest {

    @Test
    void vtlpChangesTheTrainingLossAndIsPartOfTheResumePlan(@TempDir Path dir) throws Exception {
        TrainOptions base = ToneCorpus.twoStepTinyRun(dir, "plain");
        Trainer.Result plain = new Trainer(base).run();

        TrainOptions vtlp = base.withOut(dir.resolve("vtlp")).withVtlp(0.1);
        Trainer.Result warped = new Trainer(vtlp).run();
        assertEquals(2, warped.steps());
        for (double loss : warped.trainLosses()) assertTrue(Double.isFinite(loss), "loss " + loss);
        // Same weights, data order and dropout: only the filterbank differs, so the first loss does too.
        assertNotEquals(plain.trainLosses().getFirst(), warped.trainLosses().getFirst());

        TrainOptions resumedPlain = vtlp.withVtlp(0).withMaxSteps(4).withResume(true);
        Exception e = assertThrows(Exception.class, () -> new Trainer(resumedPlain).run());
        assertTrue(String.valueOf(e.getMessage()).contains("vtlp=0.1"), e.getMessage());
    }

    @Test
    void badRangesAreClearErrors(@TempDir Path dir) {
        TrainOptions base = TrainOptions.defaults("tiny", dir.resolve("t.jsonl"), null, dir.resolve("out"));
        for (double bad : new double[] {-0.1, 0.005, 0.25}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.withVtlp(bad));
            assertTrue(e.getMessage().contains("--vtlp must be 0 (off) or a maximum warp in [0.01, 0.2], got " + bad),
                    e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
