package dev.speechmamba.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerTest {
    private static final String[] WORDS = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "there",
            "then", "other", "mother", "brother", "don't", "won't", "speech", "recognition", "mamba", "state", "space"};

    static List<String> corpus(int lines, long seed) {
        Random rng = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < lines; i++) {
            StringBuilder s = new StringBuilder();
            for (int w = 0, n = 3 + rng.nextInt(10); w < n; w++) {
                if (w > 0) s.append(' ');
                s.append(WORDS[(int) Math.min(WORDS.length - 1, Math.abs(rng.nextGaussian()) * 6)]);
            }
            out.add(s.toString());
        }
        return out;
    }

    /** Random strings over ASCII, Latin-1, CJK, emoji (surrogate pairs), spaces and the ▁ marker itself. */
    static String randomText(Random rng) {
        int[] pool = {'a', 'e', 't', 'h', ' ', ' ', '\'', 'Z', '\t', '\n', 0xE9, 0x4E2D, 0x1F600, 0x2581, 0x0, 0x10FFFF, 'q'};
        StringBuilder s = new StringBuilder();
        for (int i = 0, n = rng.nextInt(30); i < n; i++) {
            int cp = rng.nextInt(4) == 0 ? pool[rng.nextInt(pool.length)] : 'a' + rng.nextInt(26);
            if (rng.nextInt(20) == 0) cp = rng.nextInt(0xD000) + 1; // anything in the BMP below the surrogates
            s.appendCodePoint(cp);
        }
        return s.toString();
    }

    @Test
    void specialIdsAndLayout() {
        BpeTokenizer tok = BpeTrainer.train(corpus(200, 1), new BpeTrainer.Options(128, false));
        assertEquals(0, tok.blankId());
        assertEquals(1, tok.unkId());
        assertEquals(tok.vocabSize() - 1, tok.sosEosId(), "<sos/eos> is the last id, as AsrModel expects");
        assertEquals("<blank>", tok.piece(0).text());
        assertEquals(BpeTokenizer.PieceType.UNKNOWN, tok.piece(1).type());
        assertFalse(tok.byteFallback());
        for (int id : tok.encode("the quick brown fox")) assertTrue(id > 2, "encode never yields specials: " + id);
        assertTrue(tok.vocabSize() <= 128);
    }

    @Test
    void mergesLearnFrequentWords() {
        BpeTokenizer tok = BpeTrainer.train(corpus(500, 2), new BpeTrainer.Options(200, false));
        assertEquals(List.of("▁the"), tok.encodeAsPieces("the"));
        assertEquals(List.of("▁the", "▁quick", "▁fox"), tok.encodeAsPieces("the quick fox"));
        assertTrue(tok.encode("the quick brown fox jumps").length < "the quick brown fox jumps".length());
    }

    @Test
    void roundTripOnArbitraryTextWithByteFallback() {
        BpeTokenizer tok = BpeTrainer.train(corpus(300, 3), new BpeTrainer.Options(400, true));
        assertTrue(tok.byteFallback());
        Random rng = new Random(11);
        for (int trial = 0; trial < 3000; trial++) {
            String text = randomText(rng);
            int[] ids = tok.encode(text);
            for (int id : ids) assertTrue(id != tok.blankId() && id != tok.sosEosId() && id < tok.vocabSize());
            assertEquals(text, tok.decode(ids), "round trip of \"" + text + "\"");
        }
        assertEquals(0, tok.encode("").length);
        assertEquals("", tok.decode(new int[0]));
    }

    @Test
    void unknownCharactersWithoutByteFallbackBecomeUnk() {
        BpeTokenizer tok = BpeTrainer.train(corpus(300, 4), new BpeTrainer.Options(128, false));
        Random rng = new Random(5);
        for (int trial = 0; trial < 500; trial++) {
            // Text over the training characters round-trips exactly.
            String text = String.join(" ", corpus(1, rng.nextLong()));
            assertEquals(text, tok.decode(tok.encode(text)));
        }
        int[] ids = tok.encode("the 中文 dog");
        assertEquals("the ⁇ dog", tok.decode(ids));
        long unks = java.util.Arrays.stream(ids).filter(i -> i == tok.unkId()).count();
        assertEquals(1, unks, "a run of unknown characters is one <unk>");
    }

    @Test
    void trainingIsDeterministicAndIndependentOfLineOrder() {
        List<String> lines = corpus(400, 6);
        BpeTokenizer a = BpeTrainer.train(lines, new BpeTrainer.Options(150, false));
        List<String> shuffled = new ArrayList<>(lines);
        Collections.shuffle(shuffled, new Random(1));
        BpeTokenizer b = BpeTrainer.train(shuffled, new BpeTrainer.Options(150, false));
        assertEquals(a.pieces(), b.pieces());
    }

    @Test
    void tiesBreakBySmallerPieces() {
        // Every pair occurs twice; left pieces in string order are a < c < ▁ (U+2581), so ab, cd, then ▁ab, ▁cd.
        BpeTokenizer tok = BpeTrainer.train(List.of("ab cd", "ab cd"), new BpeTrainer.Options(16, false));
        List<String> merged = tok.pieces().stream().filter(p -> p.score() < 0).map(BpeTokenizer.Piece::text).toList();
        assertEquals(List.of("ab", "cd", "▁ab", "▁cd"), merged);
    }

    @Test
    void saveAndLoadKeepsEverything(@TempDir Path dir) throws IOException {
        BpeTokenizer tok = BpeTrainer.train(corpus(300, 8), new BpeTrainer.Options(300, true));
        Path file = dir.resolve("tok/bpe.json");
        tok.save(file);
        BpeTokenizer loaded = BpeTokenizer.load(file);
        assertEquals(tok.pieces(), loaded.pieces());
        Random rng = new Random(9);
        for (int i = 0; i < 200; i++) {
            String text = randomText(rng);
            assertArrayEquals(tok.encode(text), loaded.encode(text));
        }
        Files.writeString(dir.resolve("bad.json"), "{\"format\": \"something-else\"}");
        IOException e = assertThrows(IOException.class, () -> BpeTokenizer.load(dir.resolve("bad.json")));
        assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
        Files.writeString(dir.resolve("broken.json"), "{\"format\": ");
        assertThrows(IOException.class, () -> BpeTokenizer.load(dir.resolve("broken.json")));
    }

    @Test
    void badArgumentsAreNamed() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> BpeTrainer.train(corpus(50, 1), new BpeTrainer.Options(100, true)));
        assertTrue(small.getMessage().contains("256 bytes"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BpeTrainer.Options(8, false));
        assertThrows(IllegalArgumentException.class, () -> BpeTrainer.train(List.of("", "  "), new BpeTrainer.Options(64, false)));
        BpeTokenizer tok = BpeTrainer.train(corpus(50, 1), new BpeTrainer.Options(64, false));
        assertThrows(IllegalArgumentException.class, () -> tok.encode("bad \uD800 surrogate"));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {tok.vocabSize()}));
        assertThrows(IllegalArgumentException.class, () -> tok.decode(new int[] {-1}));
    }

    @Test
    void decodeSkipsBlankAndSosEos() {
        BpeTokenizer tok = BpeTrainer.train(corpus(100, 1), new BpeTrainer.Options(100, false));
        int[] ids = tok.encode("the dog");
        int[] withSpecials = new int[ids.length + 3];
        withSpecials[0] = tok.sosEosId();
        withSpecials[1] = tok.blankId();
        System.arraycopy(ids, 0, withSpecials, 2, ids.length);
        withSpecials[withSpecials.length - 1] = tok.sosEosId();
        assertEquals("the dog", tok.decode(withSpecials));
    }

    @Test
    void trainsALargeVocabularyQuickly() {
        List<String> lines = new ArrayList<>();
        Random rng = new Random(3);
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                if (w > 0) s.append(' ');
                for (int c = 0, n = 2 + rng.nextInt(8); c < n; c++) s.append((char) ('a' + (int) Math.min(25, Math.abs(rng.nextGaussian()) * 7)));
            }
            lines.add(s.toString());
        }
        long start = System.nanoTime();
        BpeTokenizer tok = BpeTrainer.train(lines, new BpeTrainer.Options(5000, false));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(5000, tok.vocabSize());
        assertTrue(seconds < 20, "5000-piece training took " + seconds + " s");
        for (String line : lines.subList(0, 100)) assertEquals(line, tok.decode(tok.encode(line)));
    }
}
