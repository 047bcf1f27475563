package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WordTimingsTest {
    private static final String[] PIECES = {"<blank>", "<unk>", "▁he", "llo", "▁wor", "ld", "▁a", "<sos/eos>"};

    @Test
    void wordsStartAtMarkedPiecesAndTakeTheirPiecesFrames() {
        // he llo | wor ld | a  on a hand-made alignment
        List<TokenSpan> spans = CtcGreedy.collapse(new int[] {0, 2, 2, 0, 3, 0, 0, 0, 4, 0, 5, 5, 0, 0, 6, 0}, 0);
        double[] confidence = {0.9, 0.6, 0.8, 0.95, 0.7};
        List<WordTimings.WordSpan> words = WordTimings.words(spans, confidence, id -> PIECES[id]);
        assertEquals(3, words.size());
        assertArrayEquals(new int[] {2, 3}, words.get(0).tokens());
        assertEquals(1, words.get(0).firstFrame());
        assertEquals(4, words.get(0).lastFrame());
        assertEquals(0.04, words.get(0).start(), 1e-12);
        assertEquals(0.20, words.get(0).end(), 1e-12);
        assertArrayEquals(new int[] {4, 5}, words.get(1).tokens());
        assertEquals(0.32, words.get(1).start(), 1e-12);
        assertEquals(0.48, words.get(1).end(), 1e-12);
        assertEquals(0.56, words.get(2).start(), 1e-12);
        assertEquals(0.60, words.get(2).end(), 1e-12);
        // A word is as sure as its least sure piece.
        assertEquals(0.6, words.get(0).confidence(), 0);
        assertEquals(0.8, words.get(1).confidence(), 0);
        assertEquals(0.7, words.get(2).confidence(), 0);
    }

    @Test
    void confidencesMustMatchTheSpans() {
        List<TokenSpan> spans = List.of(new TokenSpan(2, 0, 0), new TokenSpan(3, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WordTimings.words(spans, new double[] {0.5}, id -> PIECES[id]));
        assertTrue(e.getMessage().contains("1 confidences for 2 spans"), e.getMessage());
    }

    @Test
    void aLeadingPieceWithoutMarkerStillFormsAWord() {
        List<TokenSpan> spans = List.of(new TokenSpan(3, 0, 0), new TokenSpan(2, 3, 3));
        List<WordTimings.WordSpan> words = WordTimings.words(spans, new double[] {1, 1}, id -> PIECES[id]);
        assertEquals(2, words.size());
        assertArrayEquals(new int[] {3}, words.get(0).tokens());
    }

    @Test
    void evenSpreadCoversTheRangeInOrder() {
        List<TokenSpan> spans = WordTimings.spreadEvenly(new int[] {2, 3, 4}, 10, 16);
        assertEquals(List.of(new TokenSpan(2, 10, 11), new TokenSpan(3, 12, 13), new TokenSpan(4, 14, 15)), spans);
        List<TokenSpan> crowded = WordTimings.spreadEvenly(new int[] {2, 2, 2}, 0, 2);
        for (int i = 1; i < crowded.size(); i++) {
            assertEquals(true, crowded.get(i).firstFrame() >= crowded.get(i - 1).firstFrame());
        }
    }
}
