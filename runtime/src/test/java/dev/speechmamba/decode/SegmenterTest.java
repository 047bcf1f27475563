package dev.speechmamba.decode;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SegmenterTest {

    /** A path from a pattern: '.' is blank, a digit is that token. */
    private static int[] path(String pattern) {
        return pattern.chars().map(c -> c == '.' ? 0 : c - '0').toArray();
    }

    @Test
    void cutsAtLongBlankRunsAndPadsIntoThem() {
        //                     0         1         2         3
        //                     0123456789012345678901234567890123456
        int[] p = path("..12.3........45..6..........7.......");
        List<Segmenter.FrameRange> segments = new Segmenter(new Segmenter.Options(6, 2, 100)).segments(p, 0);
        // Speech [2, 6) padded to [0, 8); [14, 19) padded to [12, 21); [29, 30) padded to [27, 32).
        assertEquals(List.of(new Segmenter.FrameRange(0, 8), new Segmenter.FrameRange(12, 21),
                new Segmenter.FrameRange(27, 32)), segments);
    }

    @Test
    void paddingNeverCrossesThePauseMiddle() {
        int[] p = path("1.......2");                      // pause [1, 8), middle 4
        List<Segmenter.FrameRange> segments = new Segmenter(new Segmenter.Options(5, 10, 100)).segments(p, 0);
        assertEquals(List.of(new Segmenter.FrameRange(0, 4), new Segmenter.FrameRange(4, 9)), segments);
    }

    @Test
    void shortPausesDoNotSplitAndSilenceGivesNoSegments() {
        assertEquals(List.of(new Segmenter.FrameRange(0, 11)),
                new Segmenter(new Segmenter.Options(4, 0, 100)).segments(path("1..2...3..4"), 0));
        assertEquals(List.of(), new Segmenter(Segmenter.Options.defaults()).segments(path("........"), 0));
        assertEquals(List.of(), new Segmenter(Segmenter.Options.defaults()).segments(new int[0], 0));
    }

    @Test
    void overlongSegmentsAreCutAtTheirLongestBlankRunOrAtTheLimit() {
        int[] p = path("12.3..45...6.78");               // no pause of 5, 15 frames, limit 8
        List<Segmenter.FrameRange> segments = new Segmenter(new Segmenter.Options(5, 0, 8)).segments(p, 0);
        // Longest internal blank run [8, 11) → cut at 9; then [0, 9) is cut at its longest run [4, 6) → 5.
        assertEquals(List.of(new Segmenter.FrameRange(0, 5), new Segmenter.FrameRange(5, 9),
                new Segmenter.FrameRange(9, 15)), segments);
        int[] dense = path("1234567891234567891");         // no blank at all
        List<Segmenter.FrameRange> hard = new Segmenter(new Segmenter.Options(5, 0, 8)).segments(dense, 0);
        assertEquals(List.of(new Segmenter.FrameRange(0, 8), new Segmenter.FrameRange(8, 16),
                new Segmenter.FrameRange(16, 19)), hard);
        for (Segmenter.FrameRange r : hard) assertTrue(r.length() <= 8);
    }

    /** With the audio's loudness, a pause is cut at its quietest frame and the segments reach the cut. */
    @Test
    void loudnessMovesTheCutToTheQuietestFrameOfThePause() {
        int[] p = path("1.......2");                      // pause [1, 8): its middle is 4
        float[] loudness = {5, 3, 0.2f, 0.1f, 0.3f, 2, 4, 4, 5};
        List<Segmenter.FrameRange> segments = new Segmenter(new Segmenter.Options(5, 0, 100)).segments(p, 0, loudness);
        assertEquals(List.of(new Segmenter.FrameRange(0, 3), new Segmenter.FrameRange(3, 9)), segments);
        float[] flat = {5, 0, 0, 0, 0, 0, 0, 0, 5};        // equally quiet: the middle of the quiet run
        assertEquals(List.of(new Segmenter.FrameRange(0, 4), new Segmenter.FrameRange(4, 9)),
                new Segmenter(new Segmenter.Options(5, 0, 100)).segments(p, 0, flat));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(Segmenter.Options.defaults()).segments(p, 0, new float[3]));
    }

    @Test
    void rejectsBadOptions() {
        assertThrows(IllegalArgumentException.class, () -> new Segmenter.Options(0, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter.Options(3, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter.Options(3, 0, 1));
    }
}
