package dev.speechmamba.lm;

import dev.speechmamba.text.TextNormalizer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The words a transcript is expected to use, in the spoken form transcripts have ({@link TextNormalizer}: lower
 * case, {@code [a-z']}). Beam search asks it two things of the word a hypothesis is spelling: is it a word, and can
 * it still become one. Words are kept sorted in one array: a prefix test is a binary search (about 18 string
 * comparisons for 200 000 words), and 200 000 words take about 15 MB, where a set of all their prefixes would take
 * ten times that.
 */
public final class Lexicon {
    private final String[] words; // sorted, distinct

    private Lexicon(String[] sortedDistinct) {
        this.words = sortedDistinct;
    }

    /** A lexicon of {@code raw} words or phrases, each normalized as transcripts are (a phrase adds each of its words). */
    public static Lexicon of(Collection<String> raw) {
        List<String> words = new ArrayList<>(raw.size());
        for (String s : raw) addNormalized(s, words);
        if (words.isEmpty()) throw new IllegalArgumentException("lexicon: no words");
        return new Lexicon(sortedDistinct(words));
    }

    private static void addNormalized(String raw, List<String> into) {
        if (isNormalWord(raw)) {
            into.add(raw); // most lines of a word list, and all of a written lexicon: no regular expressions needed
            return;
        }
        String n = TextNormalizer.normalize(raw);
        if (n.isEmpty()) return;
        for (String w : n.split(" ")) into.add(w);
    }

    /** True for one word as {@link TextNormalizer} leaves it: a-z, and apostrophes only between two letters. */
    private static boolean isNormalWord(String s) {
        int n = s.length();
        if (n == 0 || s.charAt(0) == '\'' || s.charAt(n - 1) == '\'') return false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\'' ? s.charAt(i - 1) == '\'' : c < 'a' || c > 'z') return false;
        }
        return true;
    }

    private static String[] sortedDistinct(List<String> words) {
        String[] a = words.toArray(String[]::new);
        Arrays.sort(a);
        int n = 0;
        for (String w : a) if (n == 0 || !a[n - 1].equals(w)) a[n++] = w;
        return Arrays.copyOf(a, n);
    }

    public int size() { return words.length; }

    /** True when {@code word} is one of the words. */
    public boolean contains(String word) { return Arrays.binarySearch(words, word) >= 0; }

    /** True when some word starts with {@code prefix} (every prefix of a word, the word itself and "" included). */
    public boolean isPrefix(String prefix) {
        int i = Arrays.binarySearch(words, prefix);
        if (i >= 0) return true;
        int next = -i - 1; // the first word after the prefix in sort order: the only one that can start with it
        return next < words.length && words[next].startsWith(prefix);
    }

    /**
     * Reads a word list: one word (or phrase) per line, UTF-8, gzip when the name ends in {@code .gz}; lines starting
     * with {@code #} are comments. Any word list works ({@code /usr/share/dict/words}): words are normalized here.
     */
    public static Lexicon read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException("lexicon " + file + ": no such file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), file.getFileName().toString().endsWith(".gz"));
        }
    }

    /** Reads a word list from {@code in}; {@code name} is used in error messages. */
    public static Lexicon read(InputStream in, String name, boolean gzip) throws IOException {
        List<String> words = new ArrayList<>();
        try (InputStream body = gzip ? new GZIPInputStream(in, 1 << 16) : in;
             BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.startsWith("#")) addNormalized(line, words);
            }
        } catch (IOException e) {
            throw new IOException(name + ": cannot read the lexicon: " + e.getMessage(), e);
        }
        if (words.isEmpty()) throw new IOException(name + ": the lexicon has no words");
        return new Lexicon(sortedDistinct(words));
    }

    /** Writes one word per line, sorted, after a comment line; gzip when the name ends in {@code .gz}. */
    public void write(Path file, String comment) throws IOException {
        AtomicFile.writeText(file, w -> {
            if (comment != null && !comment.isBlank()) w.write("# " + comment.replace('\n', ' ') + "\n");
            for (String word : words) {
                w.write(word);
                w.write('\n');
            }
        });
    }

    /** Every word in order (for tests and statistics). */
    public String[] words() { return words.clone(); }

    @Override public String toString() { return "lexicon of " + words.length + " words"; }
}
