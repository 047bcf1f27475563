package dev.speechmamba.serve;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ResponseFormatTest {

    @Test
    void timestampsRoundToMillisecondsAndCarryHours() {
        assertEquals("00:00:00,000", ResponseFormat.timestamp(0, false));
        assertEquals("01:02:03,457", ResponseFormat.timestamp(3723.4567, false));
        assertEquals("01:02:03.457", ResponseFormat.timestamp(3723.4567, true));
        assertEquals("00:00:01.000", ResponseFormat.timestamp(0.9996, true));
    }

    @Test
    void aTranscriptWithoutSegmentsBecomesOneCueSpanningTheAudioAndBlankLinesCannotEndACue() {
        TranscriptionEngine.Result noSegments = new TranscriptionEngine.Result("hello world", List.of(), List.of());
        assertEquals("1\n00:00:00,000 --> 00:00:02,500\nhello world\n\n", ResponseFormat.SRT.render(noSegments, 2.5, "english", Set.of()));
        TranscriptionEngine.Result blankLine = new TranscriptionEngine.Result("a\n\nb", List.of(),
                List.of(new TranscriptionEngine.Segment("a\n\nb", 0, 1)));
        assertEquals("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na\nb\n\n", ResponseFormat.VTT.render(blankLine, 1, "english", Set.of()));
        TranscriptionEngine.Result silence = new TranscriptionEngine.Result("", List.of(), List.of());
        assertEquals("", ResponseFormat.SRT.render(silence, 1, "english", Set.of()));
        assertEquals("{\"text\":\"\",\"usage\":{\"type\":\"duration\",\"seconds\":1}}", ResponseFormat.JSON.render(silence, 0.2, "english", Set.of()));
    }

    @Test
    void unknownFormatIsRejectedAndBlankMeansJson() throws Exception {
        assertEquals(ResponseFormat.JSON, ResponseFormat.parse(null));
        assertEquals(ResponseFormat.JSON, ResponseFormat.parse(" "));
        assertEquals(ResponseFormat.VERBOSE_JSON, ResponseFormat.parse("verbose_json\r\n".strip()));
        ApiException e = assertThrows(ApiException.class, () -> ResponseFormat.parse("xml"));
        assertEquals("response_format", e.param);
    }
}
