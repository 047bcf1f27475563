package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManifestTest {

    @Test
    void writeThenReadKeepsEveryField(@TempDir Path dir) throws IOException {
        List<ManifestEntry> entries = List.of(
                new ManifestEntry("wavs/a.wav", 1.25, "hello world", "espeak-ng:en-us"),
                new ManifestEntry("/abs/b.wav", 3.5, "it's \"quoted\" ünïcode", null, 2.0, null),
                new ManifestEntry("long/l.wav", 50.0, "a b", "flite:slt", null, List.of(
                        new ManifestEntry.Segment(0, 1.5, "a", "flite:slt", "wavs/1.wav"),
                        new ManifestEntry.Segment(1.9, 2.0, "b", "flite:slt", "wavs/2.wav"))));
        Path file = dir.resolve("sub/m.jsonl");
        Manifest.write(file, entries);
        assertEquals(entries, Manifest.read(file));
        String first = Files.readAllLines(file).get(0);
        assertEquals("{\"audio_filepath\":\"wavs/a.wav\",\"duration\":1.25,\"text\":\"hello world\",\"voice\":\"espeak-ng:en-us\"}", first);
        assertEquals(dir.resolve("sub/wavs/a.wav"), Manifest.resolveAudio(file, entries.get(0)));
        assertEquals(Path.of("/abs/b.wav"), Manifest.resolveAudio(file, entries.get(1)));
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"audio_filepath\":\"a.wav\",\"duration\":1,\"text\":\"x\"}\n\n{\"audio_filepath\":\"b.wav\",\"text\":\"y\"}\n");
        IOException e = assertThrows(IOException.class, () -> Manifest.read(file));
        assertTrue(e.getMessage().contains("bad.jsonl:3") && e.getMessage().contains("duration"), e.getMessage());
        Files.writeString(file, "not json\n");
        e = assertThrows(IOException.class, () -> Manifest.read(file));
        assertTrue(e.getMessage().contains("bad.jsonl:1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ManifestEntry("a.wav", -1, "x", null));
        assertThrows(IllegalArgumentException.class, () -> new ManifestEntry(" ", 1, "x", null));
    }
}
