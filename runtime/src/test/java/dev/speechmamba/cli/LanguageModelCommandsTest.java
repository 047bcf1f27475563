package dev.speechmamba.cli;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.transcribe.ModelFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-lm, and the --lm and --lexicon options of transcribe and eval. */
class LanguageModelCommandsTest {
    static final List<String> TEXT = List.of("the cat sat on the mat", "a dog ran far away", "the dog sat on the log",
            "a cat ran to the mat");

    private static Path modelFolder(Path dir) throws Exception {
        return modelFolder(dir, 24);
    }

    /** A tiny untrained model with a BPE tokenizer of {@code vocab} pieces over TEXT, and CMVN (eval needs it), in dir/model. */
    static Path modelFolder(Path dir, int vocab) throws Exception {
        BpeTokenizer tok = BpeTrainer.train(TEXT, new BpeTrainer.Options(vocab, false));
        try (AsrModel model = new AsrModel(new ReferenceBackend(), ModelConfig.named("tiny").withVocabSize(tok.vocabSize()), 3)) {
            double[] mean = new double[model.config().featureDim()], std = new double[mean.length];
            java.util.Arrays.fill(std, 1.0);
            ModelFolder.save(dir.resolve("model"), model, tok, new GlobalCmvn(100, mean, std)); // eval needs CMVN
        }
        return dir.resolve("model");
    }

    /** One second of a 220 Hz tone as dir/a.wav. */
    static Path wav(Path dir) throws Exception {
        float[] pcm = new float[16_000];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.3 * Math.sin(2 * Math.PI * 220 * i / 16_000.0));
        Path wav = dir.resolve("a.wav");
        WavWriter.writePcm16(wav, new Audio(pcm, 16_000));
        return wav;
    }

    /** train-lm, order 3, into {@code model/lm.arpa.gz}: TEXT plus one sentence that a held-out file leaves out. */
    private static CliRun trainLm(Path dir, Path model, String... more) throws Exception {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, String.join("\n", TEXT) + "\nthe cat ran far away\n");
        Path heldOut = dir.resolve("held-out.txt");
        Files.writeString(heldOut, "the cat ran far away\n");
        List<String> args = new java.util.ArrayList<>(List.of("train-lm", "--model", model.toString(), "--text", text.toString(),
                "--exclude", heldOut.toString(), "--order", "3", "--out", model.resolve("lm.arpa.gz").toString()));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void trainLmWritesAnArpaModelWithoutTheHeldOutSentencesAndTranscribeUsesIt(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path lm = model.resolve("lm.arpa.gz");
        CliRun train = trainLm(dir, model);
        assertEquals(0, train.code(), train.err());
        assertTrue(train.out().contains("4 sentences") && train.out().contains("left out 1"), train.out());
        assertTrue(train.out().contains("perplexity per BPE token on the 1 held-out sentences"), train.out());
        NgramLm read = NgramLm.readArpa(lm);
        assertEquals(3, read.order());

        Path wav = wav(dir);
        // The model folder's own lm.arpa.gz is used, and said so on stderr.
        CliRun own = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("LM of the model (3-gram), weight"), own.err());
        CliRun off = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu", "--no-lm");
        assertEquals(0, off.code(), off.err());
        assertFalse(off.err().contains("LM of the model"), off.err());
        CliRun file = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--lm", lm.toString(), "--lm-weight", "0.5");
        assertEquals(0, file.code(), file.err());

        Path manifest = dir.resolve("m.jsonl");
        Files.writeString(manifest, "{\"audio_filepath\":\"" + wav + "\",\"duration\":1.0,\"text\":\"the cat\"}\n");
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("LM of the model (3-gram), weight"), eval.out());
        CliRun windowed = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2",
                "--device", "cpu", "--attention-window", "8", "--no-lm");
        assertEquals(0, windowed.code(), windowed.err());
        assertTrue(windowed.out().contains("no LM, no lexicon, encoder attention window 8"), windowed.out());
    }

    @Test
    void convertLmMakesACompactModelThatAModelFolderPrefers(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        assertEquals(0, trainLm(dir, model).code());
        Path arpa = model.resolve("lm.arpa.gz"), compact = model.resolve("lm.smlm");
        CliRun convert = CliRun.of("convert-lm", arpa.toString(), compact.toString());
        assertEquals(0, convert.code(), convert.err());
        assertTrue(convert.out().contains("wrote " + compact), convert.out());
        NgramLm fromArpa = NgramLm.read(arpa), fromCompact = NgramLm.read(compact);
        assertEquals(fromArpa.toString(), fromCompact.toString());
        // A model this small has under 256 distinct values per order: the compact form keeps them exactly.
        List<String> sentence = List.of(fromArpa.vocabulary().get(3), fromArpa.vocabulary().get(4));
        assertEquals(fromArpa.sentenceLog10Prob(sentence), fromCompact.sentenceLog10Prob(sentence), 1e-6);
        // Both are in the folder: the compact one is read, so a broken ARPA file beside it is never opened.
        Files.writeString(arpa, "not gzip at all");
        CliRun own = CliRun.of("transcribe", wav(dir).toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("LM of the model (3-gram), weight"), own.err());
        // And back to ARPA text.
        Path back = dir.resolve("back.arpa");
        assertEquals(0, CliRun.of("convert-lm", compact.toString(), back.toString()).code());
        assertEquals(fromCompact.toString(), NgramLm.read(back).toString());
    }

    @Test
    void convertLmRefusesToOverwriteItsInputOrToGuessAForm(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        assertEquals(0, trainLm(dir, model).code());
        Path arpa = model.resolve("lm.arpa.gz");
        byte[] before = Files.readAllBytes(arpa);
        assertFailsNaming("OUT is IN", "convert-lm", arpa.toString(), arpa.toString());
        assertFailsNaming("must end in .smlm, .arpa or .arpa.gz", "convert-lm", arpa.toString(), dir.resolve("x.bin").toString());
        assertFailsNaming("no such file", "convert-lm", dir.resolve("none.arpa").toString(), dir.resolve("x.smlm").toString());
        Path notCompact = dir.resolve("fake.smlm");
        Files.write(notCompact, before); // gzip, but ARPA text inside
        assertFailsNaming("fake.smlm: not a compact language model", "convert-lm", notCompact.toString(), dir.resolve("y.arpa").toString());
        assertArrayEquals(before, Files.readAllBytes(arpa));
        assertFalse(Files.exists(dir.resolve("x.smlm")) || Files.exists(dir.resolve("y.arpa")), "a failed convert-lm writes nothing");
    }

    @Test
    void badLanguageModelOptionsAreClearErrors(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path wav = wav(dir);
        assertFailsNaming("no such language model file", "transcribe", wav.toString(), "--model", model.toString(),
                "--lm", dir.resolve("no.arpa").toString());
        assertFailsNaming("--lm needs beam search", "transcribe", wav.toString(), "--model", model.toString(),
                "--decoder", "greedy", "--lm", wav.toString());
        assertFailsNaming("--lm-weight must be a number >= 0", "transcribe", wav.toString(), "--model", model.toString(),
                "--lm-weight", "-1");
        assertFailsNaming("not an ARPA language model", "transcribe", wav.toString(), "--model", model.toString(),
                "--lm", wav.toString(), "--device", "cpu");
        Files.writeString(model.resolve("lm.arpa.gz"), "not gzip at all");
        assertFailsNaming("lm.arpa.gz: cannot read the language model", "transcribe", wav.toString(), "--model",
                model.toString(), "--device", "cpu");
        CliRun without = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--device", "cpu", "--no-lm");
        assertEquals(0, without.code(), "--no-lm must not even read a broken LM: " + without.err());
        assertFailsNaming("no text", "train-lm", "--model", model.toString(), "--out",
                dir.resolve("x.arpa").toString());
        assertFailsNaming("--out must end in .smlm, .arpa or .arpa.gz", "train-lm", "--model", model.toString(), "--text",
                wav.toString(), "--out", dir.resolve("x.bin").toString());
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "the cat sat on the mat\n");
        assertFailsNaming("--in-domain-weight must be >= 1, got 0", "train-lm", "--model", model.toString(), "--text",
                text.toString(), "--in-domain-weight", "0", "--out", dir.resolve("x.arpa").toString());
        assertFailsNaming("prune threshold must be a finite number >= 0, got -1.0", "train-lm", "--model", model.toString(),
                "--text", text.toString(), "--prune", "-1", "--out", dir.resolve("x.arpa").toString());
        assertFalse(Files.exists(dir.resolve("x.arpa")), "a failed train-lm writes nothing");
    }

    @Test
    void trainLmWritesALexiconThatTranscribeAndEvalPickUp(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path words = dir.resolve("dict");
        Files.writeString(words, "Zebra\nyak's\n");
        Path lexicon = model.resolve("lexicon.txt.gz");
        CliRun train = trainLm(dir, model, "--lexicon-out", lexicon.toString(), "--word-list", words.toString());
        assertEquals(0, train.code(), train.err());
        // Exactly the training sentences' words and the list's, normalized; the held-out sentence's words all occur in
        // training sentences too, so the lexicon lacks none of them.
        Lexicon read = Lexicon.read(lexicon);
        assertArrayEquals(new String[] {"a", "away", "cat", "dog", "far", "log", "mat", "on", "ran", "sat", "the", "to",
                "yak's", "zebra"}, read.words());
        assertTrue(train.out().contains("lexicon of 14 words") && train.out().contains("held-out words the lexicon lacks: 0 of 5"),
                train.out());

        Path wav = wav(dir);
        CliRun own = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu");
        assertEquals(0, own.code(), own.err());
        assertTrue(own.err().contains("lexicon of the model (14 words), unknown-word penalty 3.00"), own.err());
        CliRun off = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--no-lexicon");
        assertEquals(0, off.code(), off.err());
        assertFalse(off.err().contains("lexicon of the model"), off.err());
        Path manifest = dir.resolve("m.jsonl");
        Files.writeString(manifest, "{\"audio_filepath\":\"" + wav + "\",\"duration\":1.0,\"text\":\"the cat\"}\n");
        CliRun eval = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu",
                "--lexicon", words.toString(), "--unknown-word-penalty", "5");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().contains("lexicon " + words + " (2 words), unknown-word penalty 5.00"), eval.out());
        CliRun none = CliRun.of("eval", "--model", model.toString(), "--manifest", manifest.toString(), "--beam", "2", "--device", "cpu",
                "--unknown-word-penalty", "0");
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().contains("no lexicon"), none.out());
    }

    @Test
    void badLexiconOptionsAreClearErrors(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path wav = wav(dir);
        assertFailsNaming("no such word list", "transcribe", wav.toString(), "--model", model.toString(), "--lexicon",
                dir.resolve("no.txt").toString());
        assertFailsNaming("--lexicon needs beam search", "transcribe", wav.toString(), "--model", model.toString(),
                "--decoder", "greedy", "--lexicon", wav.toString());
        assertFailsNaming("--lexicon FILE or --no-lexicon, not both", "transcribe", wav.toString(), "--model",
                model.toString(), "--lexicon", wav.toString(), "--no-lexicon");
        assertFailsNaming("--unknown-word-penalty must be a number >= 0", "transcribe", wav.toString(), "--model",
                model.toString(), "--unknown-word-penalty", "-2");
        Files.writeString(model.resolve("lexicon.txt.gz"), "not gzip at all");
        assertFailsNaming("lexicon.txt.gz: cannot read the lexicon", "transcribe", wav.toString(), "--model",
                model.toString(), "--device", "cpu");
        CliRun without = CliRun.of("transcribe", wav.toString(), "--model", model.toString(), "--device", "cpu", "--no-lexicon");
        assertEquals(0, without.code(), "--no-lexicon must not even read a broken lexicon: " + without.err());
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "a b\n");
        assertFailsNaming("--word-list needs --lexicon-out", "train-lm", "--model", model.toString(), "--text",
                text.toString(), "--out", dir.resolve("x.arpa").toString(), "--word-list", text.toString());
        assertFailsNaming("--lexicon-out must end in .txt or .txt.gz", "train-lm", "--model", model.toString(), "--text",
                text.toString(), "--out", dir.resolve("x.arpa").toString(), "--lexicon-out",
                dir.resolve("words.bin").toString());
    }

    /** Runs the command line and checks that it fails with an error message containing {@code expected}. */
    static void assertFailsNaming(String expected, String... args) {
        CliRun run = CliRun.of(args);
        assertNotEquals(0, run.code(), String.join(" ", args) + " succeeded: " + run.out());
        assertTrue(run.err().contains(expected), run.err());
    }
}
