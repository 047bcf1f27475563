package dev.speechmamba.trainer;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --vtlp W} and {@code train --random-eq DB}: training features are augmented, the range is part of the
 * resume plan, and a bad range is a clear error.
 */
class FeatureAugmentationTrainingTest {

    enum Augmentation {
        VTLP(TrainOptions::withVtlp, 0.1, "vtlp=0.1", new double[] {-0.1, 0.005, 0.25},
                "--vtlp must be 0 (off) or a maximum warp in [0.01, 0.2], got "),
        RANDOM_EQ(TrainOptions::withRandomEqualizer, 6, "random_eq_db=6.0", new double[] {-1, 0.2, 30},
                "--random-eq must be 0 (off) or a largest gain in [0.5, 20] dB, got ");

        final BiFunction<TrainOptions, Double, TrainOptions> with;
        final double on;
        final String plan;
        final double[] bad;
        final String badMessage;

        Augmentation(BiFunction<TrainOptions, Double, TrainOptions> with, double on, String plan, double[] bad,
                     String badMessage) {
            this.with = with;
            this.on = on;
            this.plan = plan;
            this.bad = bad;
            this.badMessage = badMessage;
        }
    }

    @ParameterizedTest
    @EnumSource(Augmentation.class)
    void changesTheTrainingLossAndIsPartOfTheResumePlan(Augmentation a, @TempDir Path dir) throws Exception {
        TrainOptions base = ToneCorpus.twoStepTinyRun(dir, "plain");
        Trainer.Result plain = new Trainer(base).run();

        TrainOptions augmented = a.with.apply(base.withOut(dir.resolve("augmented")), a.on);
        Trainer.Result result = new Trainer(augmented).run();
        assertEquals(2, result.steps());
        for (double loss : result.trainLosses()) assertTrue(Double.isFinite(loss), "loss " + loss);
        // Same weights, data order and dropout: only the features differ, so the first loss does too.
        assertNotEquals(plain.trainLosses().getFirst(), result.trainLosses().getFirst());

        TrainOptions resumedPlain = a.with.apply(augmented, 0.0).withMaxSteps(4).withResume(true);
        Exception e = assertThrows(Exception.class, () -> new Trainer(resumedPlain).run());
        assertTrue(String.valueOf(e.getMessage()).contains(a.plan), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Augmentation.class)
    void badRangesAreClearErrors(Augmentation a, @TempDir Path dir) {
        TrainOptions base = TrainOptions.defaults("tiny", dir.resolve("t.jsonl"), null, dir.resolve("out"));
        for (double bad : a.bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.with.apply(base, bad));
            assertTrue(e.getMessage().contains(a.badMessage + bad), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("out")));
    }
}
