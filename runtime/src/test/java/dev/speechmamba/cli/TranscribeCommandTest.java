package dev.speechmamba.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.transcribe.ModelFolder;
import dev.speechmamba.transcribe.TranscribeOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscribeCommandTest {

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private static float[] tone(double seconds, double hz) {
        float[] pcm = new float[(int) (seconds * 16_000)];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.3 * Math.sin(2 * Math.PI * hz * i / 16_000.0));
        return pcm;
    }

    private static Path modelFolder(Path dir) throws Exception {
        BpeTokenizer tok = BpeTrainer.train(List.of("the cat sat on the mat", "a dog ran far away"), new BpeTrainer.Options(24, false));
        try (AsrModel model = new AsrModel(new ReferenceBackend(), ModelConfig.named("tiny").withVocabSize(tok.vocabSize()), 3)) {
            ModelFolder.save(dir.resolve("model"), model, tok, null);
        }
        return dir.resolve("model");
    }

    @Test
    void transcribesFilesAndFoldersInEveryFormat(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path audio = Files.createDirectories(dir.resolve("audio"));
        WavWriter.writePcm16(audio.resolve("a.wav"), new Audio(tone(1.0, 200), 16_000));
        WavWriter.writePcm16(audio.resolve("b.wav"), new Audio(tone(0.6, 300), 8_000));   // resampled on read
        Files.writeString(audio.resolve("notes.txt"), "not audio, skipped in folders");

        CliRun json = run("transcribe", audio.toString(), "--model", model.toString(), "--format", "json", "--device", "cpu");
        assertEquals(0, json.code(), json.err());
        List<String> lines = json.out().lines().toList();
        assertEquals(2, lines.size(), json.out());
        JsonNode first = new ObjectMapper().readTree(lines.getFirst());
        assertTrue(first.get("file").asText().endsWith("a.wav"));
        assertTrue(first.has("segments") && first.has("words") && first.has("text"));

        CliRun text = run("transcribe", audio.resolve("a.wav").toString(), "--model", model.toString(), "--decoder", "greedy",
                "--device", "cpu");
        assertEquals(0, text.code(), text.err());
        assertEquals(1, text.out().lines().count());

        Path subs = dir.resolve("subs");
        CliRun vtt = run("transcribe", audio.toString(), "--model", model.toString(), "--format", "vtt", "--beam", "3",
                "--ctc-weight", "0.5", "--output-dir", subs.toString(), "--device", "cpu");
        assertEquals(0, vtt.code(), vtt.err());
        assertTrue(Files.readString(subs.resolve("a.vtt")).startsWith("WEBVTT\n"));
        assertTrue(Files.exists(subs.resolve("b.vtt")));
    }

    @Test
    void attentionWindowWithGlobalTokensRunsAndGlobalTokensAloneIsAUsageError(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path wav = dir.resolve("a.wav");
        WavWriter.writePcm16(wav, new Audio(tone(1.0, 200), 16_000));
        CliRun windowed = run("transcribe", wav.toString(), "--model", model.toString(), "--decoder", "greedy",
                "--device", "cpu", "--attention-window", "4", "--global-tokens", "2");
        assertEquals(0, windowed.code(), windowed.err());
        assertEquals(1, windowed.out().lines().count(), windowed.out());

        CliRun alone = run("transcribe", wav.toString(), "--model", model.toString(), "--global-tokens", "2");
        assertEquals(Main.EXIT_USAGE, alone.code(), alone.err());
        assertTrue(alone.err().contains("--global-tokens needs --attention-window"), alone.err());
        CliRun negative = run("transcribe", wav.toString(), "--model", model.toString(), "--attention-window", "4",
                "--global-tokens", "-1");
        assertEquals(Main.EXIT_USAGE, negative.code(), negative.err());
        assertTrue(negative.err().contains("--global-tokens must be >= 0"), negative.err());
    }

    @Test
    void segmentationOptionsRunAndBadValuesNameTheOption(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path wav = dir.resolve("a.wav");
        WavWriter.writePcm16(wav, new Audio(tone(3.0, 200), 16_000));
        CliRun ok = run("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--max-segment", "1.5", "--min-pause", "0.2", "--speech-level", "-23");
        assertEquals(0, ok.code(), ok.err());
        ok = run("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu", "--speech-level", "-30, -10");
        assertEquals(0, ok.code(), ok.err());
        CliRun asRecorded = run("transcribe", wav.toString(), "--model", model.toString(), "--beam", "2", "--device", "cpu",
                "--speech-level", "OFF");
        assertEquals(0, asRecorded.code(), asRecorded.err());
        for (String[] bad : new String[][] {{"--max-segment", "0"}, {"--max-segment", "-3"}, {"--min-pause", "0"},
                {"--max-segment", "0.01"}, {"--speech-level", "loud"}, {"--speech-level", "3"}, {"--speech-level", "-90"},
                {"--speech-level", "NaN"}, {"--speech-level", "-10,-20"}, {"--speech-level", "-30,-20,-10"}, {"--speech-level", "-20,"}}) {
            CliRun r = run("transcribe", wav.toString(), "--model", model.toString(), "--device", "cpu", bad[0], bad[1]);
            assertEquals(Main.EXIT_FAILURE, r.code(), String.join(" ", bad) + ": " + r.err());
            assertTrue(r.err().contains(bad[0]), r.err());
        }
        CliRun eval = run("eval", "--help");
        assertTrue(eval.out().contains("--max-segment") && eval.out().contains("--min-pause") && eval.out().contains("--by-voice"),
                eval.out());
    }

    @Test
    void helpListsTheOptions() {
        CliRun help = run("transcribe", "--help");
        assertEquals(0, help.code(), help.err());
        for (String option : List.of("--model", "--format", "--decoder", "--beam", "--ctc-weight", "--device", "--output-dir",
                "--max-segment", "--min-pause")) {
            assertTrue(help.out().contains(option), option + " missing from:\n" + help.out());
        }
        // Every command that beam-searches takes the same scoring options, and decodes as the library does when no
        // weight is given.
        String libraryDefault = "from 0 to 1; the attention decoder gets the rest (default: " + TranscribeOptions.defaults().beam().ctcWeight()
                + "; " + dev.speechmamba.decode.BeamSearch.Options.DEFAULT_CTC_WEIGHT_BESIDE_NEURAL_LM + " beside a neural LM)";
        for (String command : List.of("transcribe", "eval", "serve", "adapt")) {
            String text = run(command, "--help").out().replaceAll("\\s+", " ");
            for (String option : List.of("--ctc-weight", "--length-bonus", "--normalize-length")) {
                assertTrue(text.contains(option), command + " --help lacks " + option + ": " + text);
            }
            assertTrue(text.contains(libraryDefault), command + " --help: " + text);
        }
        assertTrue(run("serve", "--help").out().contains("--beam"), "serve sets the beam size too");
    }

    @Test
    void beamScoringOutOfRangeIsAUsageErrorNamingTheOption(@TempDir Path dir) throws Exception {
        Path wav = dir.resolve("a.wav");
        WavWriter.writePcm16(wav, new Audio(tone(0.5, 250), 16_000));
        for (String[] bad : new String[][] {{"--ctc-weight", "1.5"}, {"--ctc-weight", "-0.1"}, {"--length-bonus", "NaN"}}) {
            for (String[] command : new String[][] {{"transcribe", wav.toString()}, {"serve", "--port", "0"}}) {
                List<String> args = new java.util.ArrayList<>(List.of(command));
                args.addAll(List.of("--device", "cpu", bad[0], bad[1]));
                CliRun r = run(args.toArray(String[]::new));
                assertTrue(r.code() != 0, String.join(" ", args) + " should fail");
                assertTrue(r.err().contains(bad[0]) && r.err().contains(bad[1]), r.err());
            }
        }
        CliRun serve = run("serve", "--port", "0", "--beam", "0");
        assertTrue(serve.code() != 0 && serve.err().contains("--beam must be at least 1"), serve.err());
    }

    @Test
    void aBadFileIsOneErrorLineNamingItAndTheOthersStillRun(@TempDir Path dir) throws Exception {
        Path model = modelFolder(dir);
        Path good = dir.resolve("good.wav"), bad = dir.resolve("bad.wav"), missing = dir.resolve("missing.wav");
        WavWriter.writePcm16(good, new Audio(tone(0.8, 250), 16_000));
        Files.writeString(bad, "this is not a wav file");
        CliRun r = run("transcribe", bad.toString(), good.toString(), missing.toString(), "--model", model.toString(),
                "--decoder", "greedy", "--device", "cpu");
        assertEquals(Main.EXIT_FAILURE, r.code());
        List<String> errors = r.err().lines().toList();
        assertEquals(2, errors.size(), r.err());
        assertTrue(errors.get(0).startsWith("speech-mamba: error: ") && errors.get(0).contains(bad.toString()), errors.get(0));
        assertTrue(errors.get(1).contains(missing.toString()), errors.get(1));
        assertTrue(r.out().startsWith(good + ": "), r.out());
    }

    @Test
    void aMissingModelOrSeveralSubtitleFilesOnStdoutAreClearErrors(@TempDir Path dir) throws Exception {
        Path wav = dir.resolve("a.wav");
        WavWriter.writePcm16(wav, new Audio(tone(0.5, 200), 16_000));
        CliRun noModel = run("transcribe", wav.toString(), "--model", dir.resolve("nowhere").toString());
        assertEquals(Main.EXIT_FAILURE, noModel.code());
        assertEquals(1, noModel.err().lines().count(), noModel.err());
        assertTrue(noModel.err().contains("nowhere"), noModel.err());

        CliRun srt = run("transcribe", wav.toString(), wav.toString(), "--format", "srt", "--model", dir.toString());
        assertEquals(Main.EXIT_USAGE, srt.code());
        assertTrue(srt.err().contains("--output-dir"), srt.err());

        CliRun format = run("transcribe", wav.toString(), "--format", "docx", "--model", dir.toString());
        assertEquals(Main.EXIT_FAILURE, format.code());
        assertTrue(format.err().contains("docx"), format.err());
    }
}
