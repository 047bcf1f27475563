package dev.speechmamba.transcribe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/** Output formats of a transcript: plain text, JSON (segments and word timestamps), SRT and WebVTT subtitles. */
public enum TranscriptFormat {
    TEXT("txt"), JSON("json"), SRT("srt"), VTT("vtt");

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String extension;

    TranscriptFormat(String extension) { this.extension = extension; }

    /** File extension without the dot. */
    public String extension() { return extension; }

    public static TranscriptFormat parse(String s) {
        for (TranscriptFormat f : values()) {
            if (f.name().equalsIgnoreCase(s) || f.extension.equalsIgnoreCase(s)) return f;
        }
        throw new IllegalArgumentException("unknown format '" + s + "'; choose text, json, srt or vtt");
    }

    /**
     * The transcript in this format, ending with a newline.
     *
     * @param source the recording's name, written into JSON (null to leave it out)
     */
    public String format(Transcript t, String source) {
        return switch (this) {
            case TEXT -> t.text() + "\n";
            case JSON -> json(t, source) + "\n";
            case SRT -> subtitles(t.segments(), false);
            case VTT -> subtitles(t.segments(), true);
        };
    }

    private static String json(Transcript t, String source) {
        ObjectNode root = MAPPER.createObjectNode();
        if (source != null) root.put("file", source);
        root.put("text", t.text());
        ArrayNode segments = root.putArray("segments");
        for (Segment s : t.segments()) {
            ObjectNode node = segments.addObject();
            node.put("start", seconds(s.start()));
            node.put("end", seconds(s.end()));
            node.put("text", s.text());
            node.put("confidence", roundedConfidence(s.confidence()));
        }
        ArrayNode words = root.putArray("words");
        for (Word w : t.words()) {
            ObjectNode node = words.addObject();
            node.put("word", w.text());
            node.put("start", seconds(w.start()));
            node.put("end", seconds(w.end()));
            node.put("confidence", roundedConfidence(w.confidence()));
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A confidence rounded to three places, as JSON shows it (here and in the server): finer steps mean nothing. */
    public static double roundedConfidence(double p) { return Math.round(p * 1000) / 1000.0; }

    /** Seconds rounded to milliseconds, so JSON shows 1.24 rather than 1.2400000000000002. */
    private static double seconds(double s) { return Math.round(s * 1000) / 1000.0; }

    private static String subtitles(List<Segment> segments, boolean vtt) {
        StringBuilder out = new StringBuilder();
        if (vtt) out.append("WEBVTT\n\n");
        int index = 1;
        for (Segment s : segments) {
            if (!vtt) out.append(index).append('\n');
            out.append(timestamp(s.start(), vtt)).append(" --> ").append(timestamp(s.end(), vtt)).append('\n');
            out.append(s.text()).append("\n\n");
            index++;
        }
        return out.toString();
    }

    /** HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT). */
    static String timestamp(double seconds, boolean vtt) {
        long ms = Math.round(seconds * 1000);
        return String.format(Locale.ROOT, "%02d:%02d:%02d%s%03d", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60,
                vtt ? "." : ",", ms % 1000);
    }
}
