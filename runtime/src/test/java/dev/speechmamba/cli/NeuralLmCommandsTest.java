package dev.speechmamba.cli;

import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.transcribe.TranscribeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.speechmamba.cli.LanguageModelCommandsTest.assertFailsNaming;
import static dev.speechmamba.cli.LanguageModelCommandsTest.modelFolder;
import static dev.speechmamba.cli.LanguageModelCommandsTest.wav;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-neural-lm, and the --neural-lm options of transcribe and eval (model folders and audio as LanguageModelCommandsTest makes them). */
class NeuralLmCommandsTest {
    static final List<String> TEXT = LanguageModelCommandsTest.TEXT;

    /** A two-layer LM of width 16 over the model's pieces, 30 steps on TEXT (one held-out sentence left out). */
    private static CliRun trainNeuralLm(Path dir, Path model, Path out, String... more) throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, String.join("\n", TEXT) + "\nthe cat ran far away\n");
        Path heldOut = dir.resolve("held-out.txt");
        Files.writeString(heldOut, "the cat ran far away\n");
        List<String> args = new ArrayList<>(List.of("train-neural-lm", "--model", model.toString(), "--text", text.toString(),
                "--exclude", heldOut.toString(), "--d-model", "16", "--layers", "2", "--heads", "2", "--ffn-dim", "32",
                "--batch-tokens", "64", "--steps", "30", "--warmup-steps", "3", "--out", out.toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void trainNeuralLmWritesAModelThatTranscribeAndEvalPickUp(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir, 24);
        Path nlm = model.resolve("nlm.safetensors");
        CliRun train = trainNeuralLm(dir, model, nlm);
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("4 training sentences") && train.out().contains("and 1 held-out ones"), train.out());
        assertTrue(train.out().contains("perplexity per BPE piece (<eos> included) on the 1 held-out sentences"), train.out());
        try (NeuralLm lm = NeuralLm.fromCheckpoint(new ReferenceBackend(), Checkpoint.load(nlm))) {
            assertEquals(2, lm.config().layers());
            assertEquals(16, lm.config().dModel());
        }

        Path wav = wav(dir);
        String described = String.format(Locale.ROOT, "neural LM of the model (2 layers, d=16), weight %.2f",
                TranscribeOptions.DEFAULT_NEURAL_LM_WEIGHT);
        CliRun own = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains(described), own.err());
        CliRun off = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--no-neural-lm");
        assertEquals(0, off.code(), off.err());
        assertFalse(off.err().contains("neural LM"), off.err());
        Path elsewhere = dir.resolve("other.safetensors");
        Files.move(nlm, elsewhere);
        CliRun file = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--neural-lm", elsewhere.toString(), "--neural-lm-weight", "0.5");
        assertEquals(0, file.code(), file.err());

        Path manifest = dir.resolve("m.jsonl");
        Files.writeString(manifest, "{\"audio_filepath\":\"" + wav + "\",\"duration\":1.0,\"text\":\"the cat\"}\n");
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu",
                "--neural-lm", elsewhere.toString(), "--neural-lm-weight", "0.5");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("neural LM " + elsewhere + " (2 layers, d=16), weight 0.50"), eval.out());
        // Beside a neural LM the length bonus defaults to the value tuned with one, unless it is given.
        assertTrue(eval.out().contains("length bonus " + BeamSearch.Options.DEFAULT_LENGTH_BONUS_BESIDE_NEURAL_LM + ","), eval.out());
        assertTrue(eval.out().contains("CTC weight " + BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM + ","), eval.out());
        CliRun given = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu",
                "--neural-lm", elsewhere.toString(), "--length-bonus", "1.0", "--ctc-weight", "0.3");
        assertEquals(0, given.code(), given.err());
        assertTrue(given.out().contains("length bonus 1.0,"), given.out());
        assertTrue(given.out().contains("CTC weight 0.3,"), given.out());
        CliRun without = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, without.code(), without.err());
        assertFalse(without.out().contains("neural LM"), "the model folder has no nlm.safetensors now: " + without.out());
        assertTrue(without.out().contains("length bonus " + BeamSearch.Options.DEFAULT_LENGTH_BONUS + ","), without.out());
        assertTrue(without.out().contains("CTC weight " + BeamSearch.Options.DEFAULT_CTC_WEIGHT + ","), without.out());
    }

    @Test
    void badNeuralLmOptionsAreClearErrors(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir, 24);
        Path wav = wav(dir);
        assertFailsNaming("no such neural language model file", "transcribe", wav.toString(), "--model", model.toString(),
                "--neural-lm", dir.resolve("no.safetensors").toString());
        assertFailsNaming("--neural-lm needs beam search", "transcribe", wav.toString(), "--model", model.toString(),
                "--decoder", "greedy", "--neural-lm", wav.toString());
        assertFailsNaming("--neural-lm-weight must be a number >= 0", "transcribe", wav.toString(), "--model", model.toString(),
                "--neural-lm-weight", "-1");
        assertFailsNaming("give --neural-lm FILE or --no-neural-lm, not both", "transcribe", wav.toString(), "--model",
                model.toString(), "--neural-lm", wav.toString(), "--no-neural-lm");
        Path out = dir.resolve("x.safetensors");
        assertFailsNaming("--out must end in .safetensors", "train-neural-lm", "--model", model.toString(), "--installed-sentences",
                "--steps", "5", "--out", dir.resolve("x.bin").toString());
        assertFailsNaming("no text", "train-neural-lm", "--model", model.toString(), "--steps", "5", "--out", out.toString());
        assertFailsNaming("steps must be >= 1", trainArgs(dir, model, out, "--steps", "0"));
        assertFailsNaming("not a multiple of heads", trainArgs(dir, model, out, "--steps", "5", "--d-model", "10", "--heads", "4"));
        assertFalse(Files.exists(out), "a failed train-neural-lm writes nothing");

        // An LM trained with another model's tokenizer cannot score this model's pieces.
        Path other = modelFolder(dir.resolve("other"), 30);
        Path foreign = dir.resolve("foreign.safetensors");
        assertEquals(0, trainNeuralLm(dir, other, foreign).code());
        assertFailsNaming("the neural LM was made for another tokenizer", "transcribe", wav.toString(), "--model",
                model.toString(), "--beam", "2", "--device", "cpu", "--neural-lm", foreign.toString());
    }

    private static String[] trainArgs(Path dir, Path model, Path out, String... more) throws Exception {
        Path text = dir.resolve("t.txt");
        Files.writeString(text, String.join("\n", TEXT) + "\n");
        List<String> args = new ArrayList<>(List.of("train-neural-lm", "--model", model.toString(), "--text", text.toString(),
                "--warmup-steps", "0", "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }
}
