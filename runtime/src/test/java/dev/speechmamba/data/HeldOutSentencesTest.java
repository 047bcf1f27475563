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

class HeldOutSentencesTest {
    @Test
    void readsUtteranceAndSegmentTextsOfManifestsAndSentenceLists(@TempDir Path dir) throws Exception {
        Path manifest = Files.writeString(dir.resolve("test.jsonl"), """
                {"audio_filepath": "a.wav", "duration": 1.0, "text": "the birch canoe slid", "voice": "flite:kal16"}
                {"audio_filepath": "long.wav", "duration": 9.0, "text": "glue the sheet it is easy", "segments": [{"offset": 0.0, "duration": 4.0, "text": "glue the sheet"}, {"offset": 4.5, "duration": 4.0, "text": "it is easy"}]}
                {"audio_filepath": "q.wav", "duration": 2.0, "text": "she said \\"hello\\" twice"}
                """);
        Path list = Files.writeString(dir.resolve("more.txt"), "# by hand\nA quiet engine.\n\n");
        Set<String> held = HeldOutSentences.read(List.of(manifest, list));
        // a text with escaped quotes (which a line-based text grep would cut short) is read whole
        assertEquals(Set.of("the birch canoe slid", "glue the sheet", "it is easy", "glue the sheet it is easy", "she said hello twice",
                "a quiet engine"), held);
    }

    @Test
    void aManifestUnderAnotherNameIsReadAsAManifestNotAsSentences(@TempDir Path dir) throws Exception {
        Path manifest = Files.writeString(dir.resolve("eval.manifest"),
                "\n{\"audio_filepath\": \"a.wav\", \"duration\": 1.0, \"text\": \"The birch canoe slid.\"}\n");
        assertEquals(Set.of("the birch canoe slid"), HeldOutSentences.read(List.of(manifest)));
    }

    @Test
    void withoutDropsHeldOutSentencesAfterNormalizingAndKeepsTheOrder() {
        Set<String> held = Set.of("the birch canoe slid", "it is easy");
        List<String> kept = HeldOutSentences.without(List.of("a quiet engine", "The Birch Canoe slid.", "it is easy", "glue the sheet"), held);
        assertEquals(List.of("a quiet engine", "glue the sheet"), kept);
    }

    @Test
    void badFilesAreNamedInTheError(@TempDir Path dir) throws Exception {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> HeldOutSentences.read(List.of(dir.resolve("nope.jsonl"))));
        assertTrue(missing.getMessage().contains("nope.jsonl is not a file"), missing.getMessage());
        Path comments = Files.writeString(dir.resolve("empty.txt"), "# nothing\n\n");
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> HeldOutSentences.read(List.of(comments)));
        assertTrue(empty.getMessage().contains("empty.txt holds no sentence"), empty.getMessage());
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), "{\"audio_filepath\": \"a.wav\", \"duration\": 1.0, \"text\": \"a\"}\n{oops\n");
        java.io.IOException bad = assertThrows(java.io.IOException.class, () -> HeldOutSentences.read(List.of(broken)));
        assertTrue(bad.getMessage().contains("broken.jsonl:2"), bad.getMessage());
    }
}
