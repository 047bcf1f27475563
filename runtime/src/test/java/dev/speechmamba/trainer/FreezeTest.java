package dev.speechmamba.trainer;

import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --freeze}: the matched parameters keep their values exactly, the others train. */
class FreezeTest {

    @Test
    void frozenParametersKeepTheirValuesAndTheRestMove(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        TrainOptions first = TrainOptions.defaults("tiny", train, null, dir.resolve("first"))
                .withTraining("cpu", 5, 16, 2.0, 1, 3e-3, 4, false, null, 1, null).withMaxSteps(2);
        Trainer.Result base = new Trainer(first).run();

        TrainOptions frozen = TrainOptions.defaults("tiny", train, null, dir.resolve("frozen"))
                .withTraining("cpu", 7, 16, 2.0, 1, 3e-3, 4, true, null, 1, null).withMaxSteps(3)
                .withInitFrom(base.model()).withFreeze("decoder\\..*");
        Trainer.Result tuned = new Trainer(frozen).run();

        Checkpoint before = Checkpoint.load(base.model()), after = Checkpoint.load(tuned.model());
        int kept = 0, moved = 0;
        for (Map.Entry<String, Tensor> e : before.tensors().entrySet()) {
            float[] a = e.getValue().hostFloats(), b = after.tensor(e.getKey()).hostFloats();
            if (e.getKey().startsWith("decoder.")) {
                assertArrayEquals(a, b, 0f, e.getKey() + " is frozen");
                kept++;
            } else if (!Arrays.equals(a, b)) {
                moved++;
            }
        }
        assertTrue(kept > 0, "the tiny config has decoder parameters");
        assertTrue(moved > 0, "the encoder trained");
    }

    @Test
    void aPatternThatNamesNothingOrEverythingOrIsNoPatternIsRefused(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", List.of("ab", "cd"), 300);
        TrainOptions base = TrainOptions.defaults("tiny", train, null, dir.resolve("run"))
                .withTraining("cpu", 5, 16, 4.0, 1, 1e-3, 4, false, null, 1, null).withMaxSteps(1);
        var none = assertThrows(IllegalArgumentException.class, () -> new Trainer(base.withFreeze("decodr\\..*")).run());
        assertTrue(none.getMessage().contains("matches no parameter name"), none.getMessage());
        var all = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withOut(dir.resolve("all")).withFreeze(".*")).run());
        assertTrue(all.getMessage().contains("nothing would train"), all.getMessage());
        var bad = assertThrows(IllegalArgumentException.class, () -> base.withFreeze("decoder.(*"));
        assertTrue(bad.getMessage().contains("--freeze is not a regular expression"), bad.getMessage());
    }
}
