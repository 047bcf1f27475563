package dev.speechmamba.transcribe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscriptFormatTest {
    static final Transcript SAMPLE;

    static {
        Word hello = new Word("hello", 0.04, 0.52, 0.97), world = new Word("world", 0.6, 1.0, 0.4123);
        Word again = new Word("again", 3661.5, 3662.25, 1.0);
        SAMPLE = new Transcript("hello world again", List.of(hello, world, again),
                List.of(new Segment("hello world", 0.04, 1.0, List.of(hello, world)),
                        new Segment("again", 3661.5, 3662.25, List.of(again))));
    }

    @Test
    void text() {
        assertEquals("hello world again\n", TranscriptFormat.TEXT.format(SAMPLE, "a.wav"));
    }

    @Test
    void srt() {
        assertEquals("""
                1
                00:00:00,040 --> 00:00:01,000
                hello world

                2
                01:01:01,500 --> 01:01:02,250
                again

                """, TranscriptFormat.SRT.format(SAMPLE, null));
    }

    @Test
    void vtt() {
        assertEquals("""
                WEBVTT

                00:00:00.040 --> 00:00:01.000
                hello world

                01:01:01.500 --> 01:01:02.250
                again

                """, TranscriptFormat.VTT.format(SAMPLE, null));
    }

    @Test
    void jsonHasTextSegmentsAndWords() throws Exception {
        String json = TranscriptFormat.JSON.format(SAMPLE, "dir/a.wav");
        assertEquals(1, json.lines().count());
        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals("dir/a.wav", root.get("file").asText());
        assertEquals("hello world again", root.get("text").asText());
        assertEquals(2, root.get("segments").size());
        assertEquals(3661.5, root.get("segments").get(1).get("start").asDouble());
        assertEquals("world", root.get("words").get(1).get("word").asText());
        assertEquals(0.6, root.get("words").get(1).get("start").asDouble());
        assertEquals(1.0, root.get("words").get(1).get("end").asDouble());
        assertEquals(0.412, root.get("words").get(1).get("confidence").asDouble());
        // A segment's confidence is its words' mean.
        assertEquals(0.691, root.get("segments").get(0).get("confidence").asDouble());
        assertEquals(1.0, root.get("segments").get(1).get("confidence").asDouble());
    }

    @Test
    void aConfidenceOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Word("odd", 0, 1, 1.5));
        assertTrue(e.getMessage().contains("confidence 1.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Word("odd", 0, 1, Double.NaN));
    }

    @Test
    void parsesNamesAndExtensions() {
        assertEquals(TranscriptFormat.TEXT, TranscriptFormat.parse("txt"));
        assertEquals(TranscriptFormat.VTT, TranscriptFormat.parse("VTT"));
        assertThrows(IllegalArgumentException.class, () -> TranscriptFormat.parse("docx"));
        assertEquals("00:00:00,000", TranscriptFormat.timestamp(0, false));
        assertEquals("00:00:59.999", TranscriptFormat.timestamp(59.9994, true));
    }
}
