package dev.speechmamba.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResumeTest {
    /**
     * Training 6 steps straight and 3 + resume + 3 give bit-identical weights and Adam moments, with dropout,
     * speed perturbation, SpecAugment and gradient accumulation on, and a resume point in the middle of an epoch
     * (3 batches per epoch, 2 per step: epoch 1 = steps 1-2, step 3 is the first of epoch 2).
     */
    @Test
    void threePlusThreeEqualsSixExactly(@TempDir Path dir) throws Exception {
        compareStraightAndResumed(dir, "reference");
    }

    /**
     * The same on the fast CPU backend, which is bit-reproducible: its vector exp and lane sums do not depend on
     * whether the JIT has compiled the loop yet (see FastMath).
     */
    @Test
    void threePlusThreeEqualsSixExactlyOnTheFastCpuBackend(@TempDir Path dir) throws Exception {
        compareStraightAndResumed(dir, "cpu");
    }

    private static void compareStraightAndResumed(Path dir, String device) throws Exception {
        Path train = ToneCorpus.write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        TrainOptions base = TrainOptions.defaults("tiny", train, null, dir.resolve("straight"))
                .withTraining(device, 5, 16, 2.0, 2, 2e-3, 4, true, null, 1, null).withEpochs(10);
        Trainer.Result straight = new Trainer(base.withMaxSteps(6)).run();
        assertEquals(6, straight.steps());

        TrainOptions split = base.withOut(dir.resolve("split")).withMaxSteps(3);
        Trainer.Result first = new Trainer(split).run();
        assertEquals(3, first.steps());
        Checkpoint mid = Checkpoint.load(new CheckpointStore(dir.resolve("split")).fileFor(3));
        assertEquals("1", mid.metadata().get(CheckpointStore.EPOCH), "the resume point is inside epoch 2 (0-based 1)");
        assertEquals("2", mid.metadata().get(CheckpointStore.POSITION));
        Trainer.Result second = new Trainer(split.withMaxSteps(6).withResume(true)).run();
        assertEquals(6, second.steps());
        for (int i = 0; i < 3; i++) {
            double expected = straight.trainLosses().get(3 + i);
            assertEquals(expected, second.trainLosses().get(i), 0.0, "loss of step " + (4 + i));
        }

        Checkpoint a = Checkpoint.load(new CheckpointStore(dir.resolve("straight")).fileFor(6));
        Checkpoint b = Checkpoint.load(new CheckpointStore(dir.resolve("split")).fileFor(6));
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        assertTrue(a.tensors().keySet().stream().anyMatch(k -> k.startsWith("m.")), "Adam moments are in checkpoints");
        for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
            assertArrayEquals(e.getValue().hostFloats(), b.tensor(e.getKey()).hostFloats(), e.getKey());
        }
        for (String key : List.of(Checkpoint.STEP, CheckpointStore.EPOCH, CheckpointStore.POSITION, CheckpointStore.ADAM_STEP)) {
            assertEquals(a.metadata().get(key), b.metadata().get(key), key);
        }
        // The resumed metrics log reads as one run: steps 1..6 once each, same losses.
        List<JsonNode> log = new MetricsLog(dir.resolve("split").resolve(Trainer.METRICS_FILE)).read();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), log.stream().map(n -> n.path("step").asLong()).toList());
        List<JsonNode> straightLog = new MetricsLog(dir.resolve("straight").resolve(Trainer.METRICS_FILE)).read();
        for (int i = 0; i < 6; i++) {
            double expected = straightLog.get(i).path("loss").asDouble();
            assertEquals(expected, log.get(i).path("loss").asDouble(), 0.0, "step " + (i + 1));
        }
    }

    /**
     * With validation on, the resumed run's metrics log equals the straight run's, validation records included:
     * the record of the epoch finished before the resume point survives, and later ones are written once.
     */
    @Test
    void validationRecordsSurviveAResumeInsideALaterEpoch(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        TrainOptions base = new TrainOptions("tiny", train, train, dir.resolve("straight"), "cpu", 10, 0, 5, 16, 2.0, 256, 2,
                2e-3, 4, 5.0, 0, 5, 1, false, false, null, 1, null).withMaxSteps(6);
        new Trainer(base).run();
        TrainOptions split = base.withOut(dir.resolve("split")).withMaxSteps(3);
        new Trainer(split).run();
        new Trainer(split.withMaxSteps(6).withResume(true)).run();
        List<JsonNode> straight = new MetricsLog(dir.resolve("straight").resolve(Trainer.METRICS_FILE)).read();
        List<JsonNode> resumed = new MetricsLog(dir.resolve("split").resolve(Trainer.METRICS_FILE)).read();
        List<String> kinds = straight.stream().map(n -> n.path("kind").asText() + "@" + n.path("step").asLong()
                + "/e" + n.path("epoch").asInt()).toList();
        assertTrue(kinds.contains("valid@2/e1") && kinds.contains("valid@4/e2") && kinds.contains("valid@6/e3"), kinds.toString());
        assertEquals(kinds, resumed.stream().map(n -> n.path("kind").asText() + "@" + n.path("step").asLong()
                + "/e" + n.path("epoch").asInt()).toList());
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).path("loss").asDouble(), resumed.get(i).path("loss").asDouble(), 0.0, kinds.get(i));
        }
    }

    /** Resuming under other settings is refused with the checkpoint file and the problem named. */
    @Test
    void resumeMismatchesAreClearErrors(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", List.of("ab", "cd"), 300);
        TrainOptions base = TrainOptions.defaults("tiny", train, null, dir.resolve("run"))
                .withTraining("cpu", 5, 16, 4.0, 1, 1e-3, 4, false, null, 1, null).withEpochs(1);
        java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
        new Trainer(base.withTraining("cpu", 5, 16, 4.0, 1, 1e-3, 4, false, null, 1,
                new java.io.PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8))).run();
        String progress = stderr.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(progress.contains("trained a BPE tokenizer") && progress.contains("computed CMVN statistics")
                && progress.matches("(?s).*\\rtrain \\[#+\\] 100\\.0% .*loss \\d+\\.\\d+.* utt/s.*eta .*"), progress);
        Path ckpt = new CheckpointStore(dir.resolve("run")).list().getLast();

        IllegalArgumentException fresh = assertThrows(IllegalArgumentException.class, () -> new Trainer(base).run());
        assertTrue(fresh.getMessage().contains("--resume"), fresh.getMessage());

        TrainOptions otherModel = new TrainOptions("transformer-tiny", train, null, dir.resolve("run"), "cpu", 2, 0, 5, 16,
                4.0, 256, 1, 1e-3, 4, 5.0, 0, 5, 1, true, false, null, 1, null);
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class, () -> new Trainer(otherModel).run());
        assertTrue(config.getMessage().contains("config/checkpoint mismatch") && config.getMessage().contains(ckpt.toString()),
                config.getMessage());

        TrainOptions otherSeed = base.withTraining("cpu", 6, 16, 4.0, 1, 1e-3, 4, false, null, 1, null).withEpochs(2).withResume(true);
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class, () -> new Trainer(otherSeed).run());
        assertTrue(seed.getMessage().contains("seed=5") && seed.getMessage().contains("seed=6"), seed.getMessage());

        Path tokenizerFile = dir.resolve("run").resolve(Trainer.TOKENIZER_FILE);
        byte[] original = Files.readAllBytes(tokenizerFile);
        dev.speechmamba.text.BpeTrainer.train(List.of("ab ab cd cd abcd"), new dev.speechmamba.text.BpeTrainer.Options(16, false))
                .save(tokenizerFile);
        IllegalArgumentException tokenizer = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withEpochs(2).withResume(true)).run());
        assertTrue(tokenizer.getMessage().contains("tokenizer mismatch") && tokenizer.getMessage().contains(ckpt.toString()),
                tokenizer.getMessage());
        Files.write(tokenizerFile, original);

        Files.write(ckpt, new byte[] {1, 2, 3});
        IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withEpochs(2).withResume(true)).run());
        assertTrue(broken.getMessage().contains("unreadable checkpoint") && broken.getMessage().contains(ckpt.toString()),
                broken.getMessage());
    }
}
