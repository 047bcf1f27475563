package dev.speechmamba.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class TeacherForcingTest {
    private static final int SOS = 9, X = AsrModel.IGNORE;

    @Test
    void rowsReadSosThenTheirPiecesAndPredictThePiecesThenEos() {
        TeacherForcing t = TeacherForcing.of(List.of(new int[]{3, 4, 5}, new int[]{7}, new int[0]), SOS);
        assertEquals(4, t.len());
        assertArrayEquals(new int[]{
                SOS, 3, 4, 5,
                SOS, 7, SOS, SOS,
                SOS, SOS, SOS, SOS}, t.in());
        assertArrayEquals(new int[]{
                3, 4, 5, SOS,
                7, SOS, X, X,
                SOS, X, X, X}, t.out());
        assertArrayEquals(new int[]{4, 2, 1}, t.lengths());
        assertEquals(7, t.targets());
    }
}
