package dev.speechmamba.transcribe;

/** A recognised word with its time in the recording, in seconds (from the CTC alignment). */
public record Word(String text, double start, double end) {
    public Word {
        if (text == null) throw new IllegalArgumentException("word: text is null");
        if (!(start >= 0) || !(end >= start)) throw new IllegalArgumentException("word '" + text + "': times " + start + ".." + end + " are not ordered");
    }
}
