package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SentenceSourceTest {

    @Test
    void fortunesAreSplitFilteredAndNormalized(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("wisdom"), """
                Never trust a computer you can't throw out a window.
                		-- Steve Wozniak
                %
                In 1984 I had 3 cats.  They cost $5 each!
                %
                Too short.
                %
                Visit http://example.com for more great fortunes today.
                %
                This sentence is definitely far too long to be kept because it has many many more words than the twenty five word limit allows us to keep here.
                %
                """);
        Files.writeString(dir.resolve("wisdom.dat"), "index");
        Files.writeString(dir.resolve("ignored"), "No index file beside this one.\n%\n");
        List<String> s = SentenceSource.fromFortunes(dir);
        assertEquals(List.of("never trust a computer you can't throw out a window", "in nineteen eighty four i had three cats",
                "they cost five dollars each"), s);
    }

    @Test
    void wordNetExamplesAreTheQuotedParts(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("data.noun"), """
                  1 This software and database is being provided to you, the LICENSEE, by "Princeton University"
                00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived; "the entity was seen at 9 pm"; "an old car"
                """);
        List<String> s = SentenceSource.fromWordNet(dir);
        assertEquals(List.of("the entity was seen at nine pm", "an old car"), s);
    }

    @Test
    void installedSourcesGiveManyCleanSentences() throws IOException {
        List<String> s = SentenceSource.loadInstalled();
        org.junit.jupiter.api.Assumptions.assumeTrue(!s.isEmpty(), "fortunes / wordnet-base not installed (ci/install-tts.sh)");
        assertTrue(s.size() > 1000, "sentences: " + s.size());
        for (String line : s) {
            assertTrue(line.matches("[a-z']+( [a-z']+){2,24}"), line);
        }
    }

    @Test
    void aSentencesFileKeepsNormalizedLinesAndNormalizesRawOnes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sentences.txt");
        Files.writeString(file, """
                the treasure is marked with an x on the map

                In 1984 I had 3 cats.
                too short
                Visit http://example.com for more great fortunes today.
                the treasure is marked with an x on the map
                """);
        // "x" alone would fail the raw-text filter, but a normalized line is taken as it is
        assertEquals(List.of("the treasure is marked with an x on the map", "in nineteen eighty four i had three cats"),
                SentenceSource.fromFile(file));
    }

    @Test
    void aMissingOrEmptySentencesFileIsAClearError(@TempDir Path dir) throws IOException {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SentenceSource.fromFile(dir.resolve("absent.txt")));
        assertTrue(missing.getMessage().contains("absent.txt") && missing.getMessage().contains("does not exist"), missing.getMessage());
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n  \ntoo short\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SentenceSource.fromFile(empty));
        assertTrue(none.getMessage().contains("empty.txt") && none.getMessage().contains("no usable sentence"), none.getMessage());
    }

    @Test
    void samplesAreSeededOrderedAndBounded() {
        List<String> all = new java.util.ArrayList<>();
        for (int i = 0; i < 100; i++) all.add("sentence number " + i);
        List<String> a = SentenceSource.sample(all, 30, 7), b = SentenceSource.sample(all, 30, 7), c = SentenceSource.sample(all, 30, 8);
        assertEquals(30, a.size());
        assertEquals(30, new java.util.HashSet<>(a).size());
        assertEquals(a, b);
        assertNotEquals(a, c);
        for (int i = 1; i < a.size(); i++) assertTrue(all.indexOf(a.get(i - 1)) < all.indexOf(a.get(i)), "order kept");
        assertEquals(all, SentenceSource.sample(all, 500, 7));
        assertThrows(IllegalArgumentException.class, () -> SentenceSource.sample(all, 0, 7));
    }

    @Test
    void installedSentencesSurviveAWriteAndReadUnchanged(@TempDir Path dir) throws IOException {
        List<String> s = SentenceSource.loadInstalled();
        org.junit.jupiter.api.Assumptions.assumeTrue(!s.isEmpty(), "fortunes / wordnet-base not installed (ci/install-tts.sh)");
        Path file = dir.resolve("sentences.txt");
        SentenceSource.write(s, file);
        assertEquals(s, SentenceSource.fromFile(file));
    }
}
