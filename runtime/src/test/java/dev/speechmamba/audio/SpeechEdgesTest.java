package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpeechEdgesTest {
    @Test
    void keepsTheMarginsAroundTheFirstAndLastSound() {
        float[] x = new float[1000];
        x[300] = 0.5f;
        x[400] = -1f;
        x[700] = 0.2f;
        x[900] = 0.005f;                                   // below 1 % of the peak: quiet
        SpeechEdges edges = new SpeechEdges(0.01, 50, 100);
        assertEquals(new SpeechEdges.Bounds(250, 801), edges.find(x, 0, 1000));
        assertEquals(new SpeechEdges.Bounds(350, 501), edges.find(x, 350, 501), "the margins stay inside the range");
        assertEquals(new SpeechEdges.Bounds(0, 1000), new SpeechEdges(0.01, 500, 500).find(x, 0, 1000));
    }

    @Test
    void silenceIsKeptWholeAndBadArgumentsAreRefused() {
        assertEquals(new SpeechEdges.Bounds(10, 20), SpeechEdges.defaults().find(new float[30], 10, 20));
        assertThrows(IllegalArgumentException.class, () -> SpeechEdges.defaults().find(new float[30], 10, 31));
        assertThrows(IllegalArgumentException.class, () -> new SpeechEdges(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SpeechEdges(0.01, -1, 1));
    }
}
