package dev.speechmamba.transcribe;

/**
 * A recognised word with its time in the recording, in seconds (from the CTC alignment), and its confidence in
 * [0, 1]: the CTC posterior of its least certain piece at that piece's most likely frame
 * ({@link dev.speechmamba.decode.CtcConfidence}). Low values mark words the acoustics did not support.
 */
public record Word(String text, double start, double end, double confidence) {
    public Word {
        if (text == null) throw new IllegalArgumentException("word: text is null");
        if (!(confidence >= 0 && confidence <= 1)) throw new IllegalArgumentException("word '" + text + "': confidence " + confidence + " is outside [0, 1]");
        if (!(start >= 0) || !(end >= start)) throw new IllegalArgumentException("word '" + text + "': times " + start + ".." + end + " are not ordered");
    }
}
