package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        Path missing = dir.resolve("nope.txt");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(missing))).getMessage()
                .contains("nope.txt is not a file"));
        Path notCorpus = Files.writeString(dir.resolve("config.json"), "{\"d_model\": 144}");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(notCorpus))).getMessage()
                .contains("not a synth-corpus corpus.json"));
        Path noVoice = Files.writeString(dir.resolve("m.jsonl"), "{\"audio_filepath\": \"a.wav\", \"text\": \"a\"}\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(noVoice))).getMessage()
                .contains("m.jsonl line 1 has no \"voice\""));
        Path empty = Files.writeString(dir.resolve("empty.txt"), "# nothing\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(empty))).getMessage()
                .contains("names no voice"));
        Path typo = Files.writeString(dir.resolve("typo.txt"), "en-us+m3\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HeldOutVoices.read(List.of(typo))).getMessage()
                .contains("'en-us+m3' is not a voice id"));
    }
}
