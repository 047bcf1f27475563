package dev.speechmamba.trainer;

import dev.speechmamba.model.ModelConfig;
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

class InitFromTest {
    /**
     * A run started from a trained model takes its tokenizer, CMVN and weights: with a learning rate too small to
     * move anything visibly, its first loss is the trained model's loss, not a fresh model's, and its exported
     * weights are the trained ones — even though the second corpus alone would give another tokenizer and CMVN.
     */
    @Test
    void continuesFromTheModelsWeightsTokenizerAndCmvn(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        TrainOptions first = TrainOptions.defaults("tiny", train, null, dir.resolve("first"))
                .withTraining("cpu", 5, 16, 2.0, 1, 3e-3, 4, false, null, 1, null).withEpochs(6);
        Trainer.Result trained = new Trainer(first).run();
        double trainedLoss = trained.trainLosses().getLast();

        Path other = ToneCorpus.write(dir, "other", List.of("fa fa", "ed"), 300);
        TrainOptions continued = TrainOptions.defaults("tiny", other, null, dir.resolve("second"))
                .withTraining("cpu", 9, 16, 2.0, 1, 1e-12, 4, false, null, 1, null).withMaxSteps(1)
                .withInitFrom(dir.resolve("first"));
        Trainer.Result second = new Trainer(continued).run();

        for (String f : List.of(Trainer.TOKENIZER_FILE, Trainer.CMVN_FILE)) {
            assertEquals(Files.readString(dir.resolve("first").resolve(f)), Files.readString(dir.resolve("second").resolve(f)), f);
        }
        Checkpoint a = Checkpoint.load(trained.model());
        Checkpoint b = Checkpoint.load(second.model());
        for (Map.Entry<String, Tensor> e : a.tensors().entrySet()) {
            assertArrayEquals(e.getValue().hostFloats(), b.tensor(e.getKey()).hostFloats(), 1e-6f, e.getKey());
        }
        // On the first corpus the continued run starts at the trained model's loss, far below a fresh model's.
        TrainOptions again = continued.withOut(dir.resolve("again"));
        again = new TrainOptions(again.config(), train, null, again.out(), "cpu", 1, 1, 9, 16, 2.0, 256, 1, 1e-12, 4, 5.0, 0,
                5, 1, false, false, null, 1, null, -1, 0, dir.resolve("first"));
        Trainer.Result resumedLoss = new Trainer(again).run();
        Trainer.Result fresh = new Trainer(again.withOut(dir.resolve("fresh")).withInitFrom(null)).run();
        assertTrue(resumedLoss.trainLosses().getFirst() < 0.5 * fresh.trainLosses().getFirst(),
                resumedLoss.trainLosses() + " vs fresh " + fresh.trainLosses() + "; trained run ended at " + trainedLoss);
    }

    @Test
    void mismatchesAreClearErrorsAndNothingIsOverwritten(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", List.of("ab", "cd"), 300);
        TrainOptions base = TrainOptions.defaults("tiny", train, null, dir.resolve("run"))
                .withTraining("cpu", 5, 16, 4.0, 1, 1e-3, 4, false, null, 1, null).withEpochs(1);
        new Trainer(base).run();
        Path model = dir.resolve("run").resolve(ModelBundle.MODEL_FILE);

        TrainOptions otherConfig = new TrainOptions("transformer-tiny", train, null, dir.resolve("tf"), "cpu", 1, 0, 5, 16,
                4.0, 256, 1, 1e-3, 4, 5.0, 0, 5, 1, false, false, null, 1, null).withInitFrom(model);
        IllegalArgumentException config = assertThrows(IllegalArgumentException.class, () -> new Trainer(otherConfig).run());
        assertTrue(config.getMessage().contains("config/checkpoint mismatch") && config.getMessage().contains(model.toString()),
                config.getMessage());

        // an output folder already holding another tokenizer keeps it, and the run is refused
        Path prepared = dir.resolve("prepared");
        Files.createDirectories(prepared);
        dev.speechmamba.text.BpeTrainer.train(List.of("ab ab cd cd abcd"), new dev.speechmamba.text.BpeTrainer.Options(16, false))
                .save(prepared.resolve(Trainer.TOKENIZER_FILE));
        String before = Files.readString(prepared.resolve(Trainer.TOKENIZER_FILE));
        IllegalArgumentException tokenizer = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withOut(prepared).withInitFrom(model)).run());
        assertTrue(tokenizer.getMessage().contains("tokenizer mismatch") && tokenizer.getMessage().contains(model.toString()),
                tokenizer.getMessage());
        assertEquals(before, Files.readString(prepared.resolve(Trainer.TOKENIZER_FILE)));

        Path broken = dir.resolve("broken.safetensors");
        Files.write(broken, new byte[] {1, 2, 3});
        IllegalArgumentException unreadable = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withOut(dir.resolve("x")).withInitFrom(broken)).run());
        assertTrue(unreadable.getMessage().contains("unreadable checkpoint") && unreadable.getMessage().contains(broken.toString()),
                unreadable.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(base.withOut(dir.resolve("y")).withInitFrom(dir.resolve("nowhere"))).run());
        assertTrue(missing.getMessage().contains("no model file"), missing.getMessage());
    }

    /**
     * A run whose config only adds layers to the initial model's grows it: the new layers start as the identity, so
     * its first loss is the one the same run without new layers has (dropout off, same data order), and the grown
     * model's export holds every weight of the initial model plus the new layers.
     */
    @Test
    void growsTheModelWhenTheConfigOnlyAddsLayers(@TempDir Path dir) throws Exception {
        Path train = ToneCorpus.write(dir, "train", TrainerEndToEndTest.TRANSCRIPTS, 200);
        TrainOptions first = TrainOptions.defaults("tiny", train, null, dir.resolve("first"))
                .withTraining("cpu", 5, 16, 2.0, 1, 3e-3, 4, false, 0f, 1, null).withEpochs(2);
        new Trainer(first).run();

        ModelConfig tiny = ModelConfig.named("tiny");
        ModelConfig deeper = new ModelConfig("tiny-deeper", tiny.architecture(), tiny.featureDim(), tiny.frontEndChannels(),
                tiny.dModel(), tiny.heads(), tiny.encoderLayers() + 1, tiny.decoderLayers() + 1, tiny.mamba(), tiny.ffnDim(),
                tiny.vocabSize(), tiny.dropout(), tiny.ctcWeight(), tiny.labelSmoothing(), tiny.init());
        Path deeperJson = dir.resolve("tiny-deeper.json");
        Files.writeString(deeperJson, deeper.toJson());

        TrainOptions same = TrainOptions.defaults("tiny", train, null, dir.resolve("same"))
                .withTraining("cpu", 9, 16, 2.0, 1, 1e-12, 4, false, 0f, 1, null).withMaxSteps(1)
                .withInitFrom(dir.resolve("first"));
        double sameLoss = new Trainer(same).run().trainLosses().getFirst();
        TrainOptions grow = new TrainOptions(deeperJson.toString(), train, null, dir.resolve("grown"), "cpu", 1, 1, 9, 16,
                2.0, 256, 1, 1e-12, 4, 5.0, 0, 5, 1, false, false, 0f, 1, null).withInitFrom(dir.resolve("first"));
        Trainer.Result grown = new Trainer(grow).run();
        assertEquals(sameLoss, grown.trainLosses().getFirst(), 1e-4 * sameLoss, "first loss of the grown run");

        Checkpoint initial = Checkpoint.load(dir.resolve("first").resolve(ModelBundle.MODEL_FILE));
        Checkpoint exported = Checkpoint.load(grown.model());
        for (Map.Entry<String, Tensor> e : initial.tensors().entrySet()) {
            assertArrayEquals(e.getValue().hostFloats(), exported.tensor(e.getKey()).hostFloats(), 1e-6f, e.getKey());
        }
        // another dropout holds no weights: the same model starts from the initial weights as they are
        Trainer.Result otherDropout = new Trainer(same.withOut(dir.resolve("dropout"))
                .withTraining("cpu", 9, 16, 2.0, 1, 1e-12, 4, false, 0.2f, 1, null)).run();
        Checkpoint withDropout = Checkpoint.load(otherDropout.model());
        for (Map.Entry<String, Tensor> e : initial.tensors().entrySet()) {
            assertArrayEquals(e.getValue().hostFloats(), withDropout.tensor(e.getKey()).hostFloats(), 1e-6f, e.getKey());
        }
        assertTrue(exported.tensors().containsKey("encoder.layers.2.mamba1.mixer.in_proj.weight"));
        assertTrue(exported.tensors().containsKey("decoder.layers.1.cross_attn.out_proj.weight"));

        // a config that changes more than the depth is still refused, naming the model
        ModelConfig narrower = new ModelConfig("tiny-other", tiny.architecture(), tiny.featureDim(), tiny.frontEndChannels(),
                tiny.dModel(), tiny.heads() * 2, tiny.encoderLayers() + 1, tiny.decoderLayers(), tiny.mamba(), tiny.ffnDim(),
                tiny.vocabSize(), tiny.dropout(), tiny.ctcWeight(), tiny.labelSmoothing(), tiny.init());
        Path otherJson = dir.resolve("tiny-other.json");
        Files.writeString(otherJson, narrower.toJson());
        TrainOptions other = new TrainOptions(otherJson.toString(), train, null, dir.resolve("other"), "cpu", 1, 1, 9, 16,
                2.0, 256, 1, 1e-3, 4, 5.0, 0, 5, 1, false, false, 0f, 1, null).withInitFrom(dir.resolve("first"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(other).run());
        assertTrue(e.getMessage().contains("config/checkpoint mismatch") && e.getMessage().contains("only adds encoder or decoder layers"),
                e.getMessage());
    }
}
