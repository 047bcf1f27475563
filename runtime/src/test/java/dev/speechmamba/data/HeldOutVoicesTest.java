package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeldOutVoicesTest {
    @Test
    void readsCorpusSummariesManifestsAndLists(@TempDir Path dir) throws Exception {
        Path corpus = Files.writeString(dir.resolve("corpus.json"), """
                {"seed": 7, "splits": {
                  "train": {"utterances": 3, "voices": ["espeak-ng:en-us", "flite:slt"]},
                  "valid": {"utterances": 1, "voices": ["flite:kal"]},
                  "test":  {"utterances": 1, "voices": ["espeak-ng:en-gb+m3", "festival:ked_diphone"]}}}
                """);
        Path manifest = Files.writeString(dir.resolve("eval.jsonl"), """
                {"audio_filepath": "a.wav", "duration": 1.0, "text": "a", "voice": "espeak-ng:mb-en1"}

                {"audio_filepath": "b.wav", "duration": 1.0, "text": "b", "voice": "espeak-ng:mb-en1"}
                """);
        Path list = Files.writeString(dir.resolve("voices.txt"), "# held out by hand\nflite:awb\n\n  pico:en-GB \n");
        Set<String> ids = HeldOutVoices.read(List.of(corpus, manifest, list));
        // a corpus's train voices are not held out; its valid and test ones are
        assertEquals(Set.of("flite:kal", "espeak-ng:en-gb+m3", "festival:ked_diphone", "espeak-ng:mb-en1", "flite:awb", "pico:en-GB"), ids);
    }

    @Test
    void badFilesAreNamedInTheError(@TempDir Path dir) throws Exception {
        assertRejected(dir.resolve("nope.txt"), "nope.txt is not a file");
        assertRejected(Files.writeString(dir.resolve("config.json"), "{\"d_model\": 144}"), "not a synth-corpus corpus.json");
        assertRejected(Files.writeString(dir.resolve("m.jsonl"), "{\"audio_filepath\": \"a.wav\", \"duration\": 1.0, \"text\": \"a\"}\n"),
                "m.jsonl utterance 1 has no \"voice\"");
        assertRejected(Files.writeString(dir.resolve("empty.txt"), "# nothing\n"), "names no voice");
        assertRejected(Files.writeString(dir.resolve("typo.txt"), "en-us+m3\n"), "'en-us+m3' is not a voice id");
    }

    @Test
    void anAllTrainCorpusSummaryPointsToItsManifest(@TempDir Path dir) throws Exception {
        // an evaluation set made with synth-corpus --all-train: every voice in train, which a corpus.json never holds out
        Path set = Files.createDirectory(dir.resolve("random-test"));
        Path corpus = Files.writeString(set.resolve("corpus.json"), """
                {"seed": 62, "splits": {
                  "train": {"utterances": 2, "voices": ["espeak-ng:en-gb+rnd0-s62"]},
                  "valid": {"utterances": 0, "voices": []},
                  "test":  {"utterances": 0, "voices": []}}}
                """);
        assertRejected(corpus, "its valid and test splits are empty");
        assertRejected(corpus, "give its manifest, " + set.toAbsolutePath().resolve("train.jsonl"));
    }

    @Test
    void aMalformedManifestLineIsNamedWithItsLineNumber(@TempDir Path dir) throws Exception {
        Path broken = Files.writeString(dir.resolve("eval.jsonl"), "\n{\"audio_filepath\": \"a.wav\", \"voice\": \"flite:awb\"}\n");
        IOException e = assertThrows(IOException.class, () -> HeldOutVoices.read(List.of(broken)));
        assertTrue(e.getMessage().contains("eval.jsonl:2: bad manifest line"), e.getMessage());
    }

    private static void assertRejected(Path file, String expected) {
        String message = assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(file))).getMessage();
        assertTrue(message.contains(expected), message);
    }
}
