package dev.speechmamba.trainer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --attention-window W [--global-tokens G]}: the encoder trains with limited-context attention. */
class WindowedTrainingTest {

    @Test
    void windowChangesTheTrainingLossAndIsPartOfTheResumePlan(@TempDir Path dir) throws Exception {
        TrainOptions base = ToneCorpus.twoStepTinyRun(dir, "full");
        Trainer.Result full = new Trainer(base).run();

        TrainOptions windowed = base.withOut(dir.resolve("windowed")).withEncoderAttention(1, 1);
        Trainer.Result limited = new Trainer(windowed).run();
        assertEquals(2, limited.steps());
        for (double loss : limited.trainLosses()) assertTrue(Double.isFinite(loss), "loss " + loss);
        // Same weights, data and dropout: only the encoder's attention differs, so the first loss does too.
        assertNotEquals(full.trainLosses().getFirst(), limited.trainLosses().getFirst());

        // Resuming the windowed run with full attention would not continue the same training: refused.
        TrainOptions resumedFull = windowed.withEncoderAttention(-1, 0).withMaxSteps(4).withResume(true);
        Exception e = assertThrows(Exception.class, () -> new Trainer(resumedFull).run());
        assertTrue(String.valueOf(e.getMessage()).contains("attention_window=1"), e.getMessage());
    }

    @Test
    void badWindowOptionsAreClearErrors(@TempDir Path dir) {
        TrainOptions base = TrainOptions.defaults("tiny", dir.resolve("t.jsonl"), null, dir.resolve("out"));
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> base.withEncoderAttention(-2, 0));
        assertTrue(a.getMessage().contains("--attention-window must be >= 0 frames, got -2"), a.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> base.withEncoderAttention(-1, 3));
        assertTrue(b.getMessage().contains("--global-tokens needs --attention-window"), b.getMessage());
        IllegalArgumentException c = assertThrows(IllegalArgumentException.class, () -> base.withEncoderAttention(8, -1));
        assertTrue(c.getMessage().contains("--global-tokens must be >= 0, got -1"), c.getMessage());
    }
}
