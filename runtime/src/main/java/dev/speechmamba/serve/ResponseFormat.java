package dev.speechmamba.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speechmamba.transcribe.TranscriptFormat;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code response_format}s of OpenAI's transcription endpoint. {@code verbose_json} carries what this model
 * knows (segment and word times, duration, language); Whisper-specific per-segment fields (tokens, avg_logprob,
 * compression_ratio, no_speech_prob, temperature) are left out rather than invented.
 */
enum ResponseFormat {
    JSON("json", "application/json"),
    TEXT("text", "text/plain; charset=utf-8"),
    SRT("srt", "application/x-subrip; charset=utf-8"),
    VTT("vtt", "text/vtt; charset=utf-8"),
    VERBOSE_JSON("verbose_json", "application/json");

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper();

    final String wireName;
    final String contentType;

    ResponseFormat(String wireName, String contentType) {
        this.wireName = wireName;
        this.contentType = contentType;
    }

    static ResponseFormat parse(String value) throws ApiException {
        if (value == null || value.isBlank()) return JSON;
        for (ResponseFormat f : values()) if (f.wireName.equals(value.strip())) return f;
        throw ApiException.invalid("invalid_value", "response_format",
                "response_format must be one of json, text, srt, vtt, verbose_json; got '" + value.strip() + "'");
    }

    /** The response body for one transcript of {@code durationSeconds} of audio. */
    String render(TranscriptionEngine.Result result, double durationSeconds, String language, Set<String> granularities) {
        return switch (this) {
            case JSON -> {
                ObjectNode root = JSON_MAPPER.createObjectNode();
                root.put("text", result.text());
                ObjectNode usage = root.putObject("usage");
                usage.put("type", "duration");
                usage.put("seconds", (long) Math.ceil(durationSeconds));
                yield root.toString();
            }
            case TEXT -> result.text() + "\n";
            case SRT -> cues(result, durationSeconds, false);
            case VTT -> "WEBVTT\n\n" + cues(result, durationSeconds, true);
            case VERBOSE_JSON -> {
                ObjectNode root = JSON_MAPPER.createObjectNode();
                root.put("task", "transcribe");
                root.put("language", language);
                root.put("duration", durationSeconds);
                root.put("text", result.text());
                if (granularities.contains("segment")) {
                    ArrayNode segments = root.putArray("segments");
                    int id = 0;
                    for (TranscriptionEngine.Segment s : segmentsOf(result, durationSeconds)) {
                        ObjectNode node = segments.addObject();
                        node.put("id", id++);
                        node.put("start", s.start());
                        node.put("end", s.end());
                        node.put("text", s.text());
                    }
                }
                if (granularities.contains("word")) {
                    ArrayNode words = root.putArray("words");
                    for (TranscriptionEngine.Word w : result.words()) {
                        words.addObject().put("word", w.word()).put("start", w.start()).put("end", w.end())
                                .put("confidence", TranscriptFormat.roundedConfidence(w.confidence()));
                    }
                }
                yield root.toString();
            }
        };
    }

    /** The engine's segments; a transcript without any becomes one segment spanning the audio. */
    private static List<TranscriptionEngine.Segment> segmentsOf(TranscriptionEngine.Result result, double durationSeconds) {
        if (!result.segments().isEmpty() || result.text().isBlank()) return result.segments();
        return List.of(new TranscriptionEngine.Segment(result.text().strip(), 0, durationSeconds));
    }

    private static String cues(TranscriptionEngine.Result result, double durationSeconds, boolean vtt) {
        StringBuilder out = new StringBuilder();
        int index = 1;
        for (TranscriptionEngine.Segment s : segmentsOf(result, durationSeconds)) {
            if (!vtt) out.append(index).append('\n');
            index++;
            out.append(timestamp(s.start(), vtt)).append(" --> ").append(timestamp(s.end(), vtt)).append('\n');
            // A blank line ends a cue in both formats, so the text must not contain one.
            out.append(s.text().strip().replaceAll("\\R\\s*\\R", "\n")).append("\n\n");
        }
        return out.toString();
    }

    /** {@code HH:MM:SS,mmm} (SRT) or {@code HH:MM:SS.mmm} (WebVTT). */
    static String timestamp(double seconds, boolean vtt) {
        long millis = Math.round(Math.max(0, seconds) * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%c%03d", millis / 3_600_000, millis / 60_000 % 60,
                millis / 1000 % 60, vtt ? '.' : ',', millis % 1000);
    }
}
