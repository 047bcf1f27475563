package dev.speechmamba.lm;

import dev.speechmamba.decode.NextTokenScorer;
import dev.speechmamba.text.BpeTokenizer;

import java.util.List;

/**
 * A lexicon seen as beam search sees a scorer: for every next token, minus the number of words that token makes
 * leave the lexicon (0 or -1, rarely -2), so that beam search, scaling it by its unknown-word penalty, prefers
 * spellings that are words. A hypothesis's current word leaves the lexicon once: at the first token after which
 * no word starts with it ({@code "knol"}), or, when it ends while still a prefix of some word but not a word
 * itself ({@code "hand shak"}), at the token that ends it (the next word's first piece, or {@code <eos>}). A word
 * that has left is not charged again, so a name the lexicon lacks costs one penalty however long it is.
 * The model's word boundaries are SentencePiece's: a piece that starts with {@code ▁} starts a word.
 */
public final class LexiconScorer implements NextTokenScorer {
    /** Stands for text no word contains: byte pieces and the unknown piece. */
    private static final String NOT_A_LETTER = "\u0000";

    private final Lexicon lexicon;
    private final int vocab;
    private final int blank;
    private final int sosEos;
    private final String[] textOf;        // per token: its letters, the space marker kept; null for blank and <sos/eos>
    private final boolean[] startsWord;   // the token's text begins a new word
    private final String[] closingText;   // for a word-starting token: its letters before the first marker (usually "")
    private final float[] ownWordsLeaving; // for a word-starting token: the words wholly inside it, or opened by it,
                                           // that leave the lexicon there (0 or negative)
    private final String[] openedWord;    // for a word-starting token: the start of the word it leaves open

    public LexiconScorer(Lexicon lexicon, BpeTokenizer tokenizer) {
        this.lexicon = lexicon;
        this.vocab = tokenizer.vocabSize();
        this.blank = tokenizer.blankId();
        this.sosEos = tokenizer.sosEosId();
        textOf = new String[vocab];
        startsWord = new boolean[vocab];
        closingText = new String[vocab];
        ownWordsLeaving = new float[vocab];
        openedWord = new String[vocab];
        for (int k = 0; k < vocab; k++) {
            if (k == blank || k == sosEos) continue;
            BpeTokenizer.Piece p = tokenizer.piece(k);
            String text = switch (p.type()) {
                case NORMAL, USER_DEFINED -> p.text();
                default -> NOT_A_LETTER; // byte pieces, <unk>, other control pieces
            };
            textOf[k] = text;
            int firstMarker = text.indexOf(BpeTokenizer.SPACE_MARKER);
            if (firstMarker < 0) continue;
            startsWord[k] = true;
            // The token ends the current word at its first marker; words between markers are whole; the part after
            // the last marker is the word it opens.
            closingText[k] = text.substring(0, firstMarker);
            String[] parts = text.substring(firstMarker + 1).split(BpeTokenizer.SPACE_MARKER, -1);
            float leaving = 0;
            for (int i = 0; i < parts.length - 1; i++) {
                if (!parts[i].isEmpty() && !lexicon.contains(parts[i])) leaving -= 1;
            }
            String opened = parts[parts.length - 1];
            if (!lexicon.isPrefix(opened)) leaving -= 1;
            ownWordsLeaving[k] = leaving;
            openedWord[k] = opened;
        }
    }

    @Override public int vocabSize() { return vocab; }

    @Override
    public float[][] nextLogProbs(List<int[]> prefixes) {
        return NextTokenScorer.rowByRow(prefixes, this::row);
    }

    private float[] row(int[] prefix) {
        String current = currentWord(prefix);
        boolean stillPossible = lexicon.isPrefix(current); // false: it has left already and was charged then
        float endingIt = stillPossible && !current.isEmpty() && !lexicon.contains(current) ? -1 : 0;
        float[] row = new float[vocab];
        for (int k = 0; k < vocab; k++) {
            if (k == blank) continue;
            if (k == sosEos) {
                row[k] = endingIt;
            } else if (startsWord[k]) {
                String before = closingText[k];
                row[k] = (before.isEmpty() ? endingIt : endingWith(current, before, stillPossible)) + ownWordsLeaving[k];
            } else if (stillPossible && !lexicon.isPrefix(current + textOf[k])) {
                row[k] = -1;
            }
        }
        return row;
    }

    /** A token that adds {@code before} to the current word and then starts a new one. */
    private float endingWith(String current, String before, boolean stillPossible) {
        if (!stillPossible) return 0;
        String word = current + before;
        return lexicon.contains(word) ? 0 : -1;
    }

    /** The letters of the word the prefix is spelling ("" right after a word boundary or {@code <sos>}). */
    private String currentWord(int[] prefix) {
        int opener = -1; // the last word-starting token; prefix[0] is <sos>
        for (int i = prefix.length - 1; i >= 1 && opener < 0; i--) {
            text(prefix[i]);
            if (startsWord[prefix[i]]) opener = i;
        }
        StringBuilder word = new StringBuilder(opener < 0 ? "" : openedWord[prefix[opener]]);
        for (int i = opener < 0 ? 1 : opener + 1; i < prefix.length; i++) word.append(text(prefix[i]));
        return word.toString();
    }

    private String text(int token) {
        if (token < 0 || token >= vocab || textOf[token] == null) {
            throw new IllegalArgumentException("lexicon scorer: token " + token + " cannot be in a prefix");
        }
        return textOf[token];
    }
}
