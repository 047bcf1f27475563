package dev.speechmamba.transcribe;

import java.util.List;

/** A stretch of speech between pauses, decoded on its own; times in seconds. */
public record Segment(String text, double start, double end, List<Word> words) {
    public Segment {
        if (text == null) throw new IllegalArgumentException("segment: text is null");
        if (!(start >= 0) || !(end >= start)) throw new IllegalArgumentException("segment '" + text + "': times " + start + ".." + end + " are not ordered");
        words = List.copyOf(words);
    }

    /** The mean confidence of its words (0 when it has none). */
    public double confidence() {
        return words.stream().mapToDouble(Word::confidence).average().orElse(0);
    }
}
