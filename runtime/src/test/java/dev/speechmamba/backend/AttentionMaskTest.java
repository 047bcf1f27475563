package dev.speechmamba.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttentionMaskTest {

    /** The rule of the issue, spelled out independently of {@link AttentionMask#visible}. */
    private static boolean expected(int i, int j, int keyLength, boolean causal, int window, int globals) {
        boolean inWindow = window < 0 || Math.abs(i - j) <= window;
        return j < keyLength && (!causal || j <= i) && (inWindow || i < globals || j < globals);
    }

    @Test
    void visibleFollowsWindowGlobalTokensKeyLengthAndCausality() {
        int t = 30;
        for (boolean causal : new boolean[] {false, true}) {
            for (int window : new int[] {-1, 0, 2, 5}) {
                for (int globals : new int[] {0, 1, 3, 40}) {
                    if (window < 0 && globals > 0) continue;
                    AttentionMask mask = new AttentionMask(null, causal, window, window, globals);
                    for (int keyLength : new int[] {0, 7, t}) {
                        for (int i = 0; i < t; i++) {
                            for (int j = 0; j < t; j++) {
                                assertEquals(expected(i, j, keyLength, causal, window, globals),
                                        mask.visible(i, j, keyLength),
                                        "i=" + i + " j=" + j + " len=" + keyLength + " causal=" + causal + " W=" + window
                                                + " G=" + globals);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void globalTokensSeeAndAreSeenAcrossTheWholeSequence() {
        AttentionMask mask = new AttentionMask(null, false, 2, 2, 3);
        assertTrue(mask.visible(100, 2, 200), "every query sees global key 2");
        assertTrue(mask.visible(1, 150, 200), "global query 1 sees key 150");
        assertFalse(mask.visible(100, 3, 200), "key 3 is not global and outside ±2 of 100");
        assertFalse(mask.visible(1, 200, 200), "padding still hides keys from global queries");
        AttentionMask causal = new AttentionMask(null, true, 2, -1, 3);
        assertFalse(causal.visible(1, 150, 200), "causality still hides later keys from global queries");
        assertTrue(causal.visible(150, 1, 200));
    }

    @Test
    void fourArgumentConstructorAndFactoriesHaveNoGlobalTokens() {
        assertEquals(0, new AttentionMask(null, false, 3, 3).globalTokens());
        assertEquals(0, AttentionMask.none().globalTokens());
        assertFalse(AttentionMask.none().windowed());
        assertTrue(new AttentionMask(null, true, 4, -1).windowed());
    }

    @Test
    void negativeGlobalTokensAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AttentionMask(null, false, 3, 3, -1));
        assertTrue(e.getMessage().contains("globalTokens") && e.getMessage().contains("-1"), e.getMessage());
    }
}
