package dev.speechmamba.transcribe;

import java.util.List;

/** The result of transcribing one recording: the whole text, its words and its segments, in time order. */
public record Transcript(String text, List<Word> words, List<Segment> segments) {
    public Transcript {
        if (text == null) throw new IllegalArgumentException("transcript: text is null");
        words = List.copyOf(words);
        segments = List.copyOf(segments);
    }

    public static Transcript empty() { return new Transcript("", List.of(), List.of()); }
}
