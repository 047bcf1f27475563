package dev.speechmamba.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LexiconTest {
    @Test
    void wordsAreNormalizedAsTranscriptsAre() {
        Lexicon lex = Lexicon.of(List.of("Café", "don't", "ice-cream", "the", "THE", "42"));
        assertArrayEquals(new String[] {"cafe", "cream", "don't", "forty", "ice", "the", "two"}, lex.words());
        assertTrue(lex.contains("cafe"));
        assertTrue(lex.contains("don't"));
        assertFalse(lex.contains("Café"), "the lexicon holds normalized words only");
        assertThrows(IllegalArgumentException.class, () -> Lexicon.of(List.of("!!", "")));
        // Words already in normal form take a fast path; anything else goes through the normalizer.
        for (String raw : List.of("don''t", "'tis", "dogs'", "o'clock", "x", "rock'n'roll", "a b", "abc\t")) {
            String normalized = dev.speechmamba.text.TextNormalizer.normalize(raw);
            assertArrayEquals(normalized.split(" "), Lexicon.of(List.of(raw)).words(), raw);
        }
    }

    @Test
    void prefixesAreEveryStartOfSomeWord() {
        Lexicon lex = Lexicon.of(List.of("knowledge", "know", "knot", "zebra"));
        for (String p : List.of("", "k", "kn", "kno", "know", "knowl", "knowledge", "knot", "z", "zebra")) {
            assertTrue(lex.isPrefix(p), p);
        }
        for (String p : List.of("a", "knol", "knowledges", "knots", "zz", "zebras", "l")) {
            assertFalse(lex.isPrefix(p), p);
        }
        assertTrue(lex.contains("know") && !lex.contains("kno"));
    }

    @Test
    void writesAndReadsPlainAndGzipLists(@TempDir Path dir) throws IOException {
        Lexicon lex = Lexicon.of(List.of("alpha", "beta", "gamma's"));
        for (String name : List.of("words.txt", "words.txt.gz")) {
            Path file = dir.resolve(name);
            lex.write(file, "test words\nsecond line");
            Lexicon back = Lexicon.read(file);
            assertArrayEquals(lex.words(), back.words(), name);
            assertFalse(Files.exists(dir.resolve(name + ".tmp")));
        }
        assertTrue(Files.readString(dir.resolve("words.txt")).startsWith("# test words second line\nalpha\n"));
    }

    @Test
    void readsAnyWordListAndSaysWhatIsWrong(@TempDir Path dir) throws IOException {
        Path dict = dir.resolve("dict");
        Files.writeString(dict, "# a comment line\nAachen's\nzoo\n\n  \nRésumé\n", StandardCharsets.UTF_8);
        assertArrayEquals(new String[] {"aachen's", "resume", "zoo"}, Lexicon.read(dict).words());

        IOException missing = assertThrows(IOException.class, () -> Lexicon.read(dir.resolve("nope.txt")));
        assertTrue(missing.getMessage().contains("nope.txt") && missing.getMessage().contains("no such file"), missing.getMessage());
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "# only a comment\n");
        IOException noWords = assertThrows(IOException.class, () -> Lexicon.read(empty));
        assertTrue(noWords.getMessage().contains("empty.txt") && noWords.getMessage().contains("no words"), noWords.getMessage());
        Path notGzip = dir.resolve("bad.txt.gz");
        Files.writeString(notGzip, "plain text\n");
        IOException bad = assertThrows(IOException.class, () -> Lexicon.read(notGzip));
        assertTrue(bad.getMessage().contains("bad.txt.gz"), bad.getMessage());
        assertEquals(3, Lexicon.read(dict).size());
    }
}
