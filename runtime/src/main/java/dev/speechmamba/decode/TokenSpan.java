package dev.speechmamba.decode;

/**
 * One emitted token and the encoder frames its CTC alignment spends on it (blanks excluded).
 *
 * @param token      vocabulary id
 * @param firstFrame first frame emitting the token (absolute, after 4× subsampling)
 * @param lastFrame  last frame of the same emission (inclusive)
 */
public record TokenSpan(int token, int firstFrame, int lastFrame) {
    public TokenSpan {
        if (firstFrame < 0 || lastFrame < firstFrame) {
            throw new IllegalArgumentException("token span: frames [" + firstFrame + ", " + lastFrame + "] are not ordered");
        }
    }

    /** The same span moved by {@code frames}. */
    public TokenSpan shift(int frames) { return new TokenSpan(token, firstFrame + frames, lastFrame + frames); }
}
