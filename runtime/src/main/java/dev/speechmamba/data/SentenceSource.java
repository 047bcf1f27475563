package dev.speechmamba.data;

import dev.speechmamba.text.TextNormalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * English sentences from text that Debian ships: the fortune cookie files ({@code fortunes}, {@code fortunes-min})
 * and the quoted example sentences in WordNet's {@code data.*} files ({@code wordnet-base}). Each candidate is
 * filtered (plain English letters, no URLs or code-like text), normalized with {@link TextNormalizer} and kept
 * when it has 3 to 25 words; duplicates are dropped. The order is stable (files sorted by name).
 *
 * <p>A sentences file (one sentence per line, see {@link #fromFile}) carries them to machines without those packages:
 * {@code java -cp 'LIB/*' dev.speechmamba.data.SentenceSource FILE [MAX [SEED]]} writes the installed sentences, or a
 * seeded sample of at most MAX of them, to FILE (ci/gpu/pack-tts.sh does this).
 */
public final class SentenceSource {
    public static final Path FORTUNES = Path.of("/usr/share/games/fortunes");
    public static final Path WORDNET = Path.of("/usr/share/wordnet");
    public static final int MIN_WORDS = 3, MAX_WORDS = 25;

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])[\"')]*\\s+(?=[\"'(]*[A-Z0-9])");
    private static final Pattern WORDNET_EXAMPLE = Pattern.compile("\"([^\"]+)\"");
    /** Raw text we accept: ASCII letters, digits, spaces and ordinary punctuation, with symbols we can speak. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9 ,.;:!?'\"()\\-$%&+]+");
    private static final Pattern SUSPICIOUS = Pattern.compile("https?|www\\.|\\.com|[A-Z]{5,}|\\.\\.|--|[a-z][A-Z]|\\d{5,}|(?<![\\w'])[b-hj-z](?![\\w'])");

    private SentenceSource() { }

    /** Sentences from every source that is installed; empty when none is. */
    public static List<String> loadInstalled() throws IOException {
        Set<String> out = new LinkedHashSet<>();
        out.addAll(fromFortunes(FORTUNES));
        out.addAll(fromWordNet(WORDNET));
        return List.copyOf(out);
    }

    /** Sentences of the fortune files in {@code dir} (files that have a {@code .dat} index beside them). */
    public static List<String> fromFortunes(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().contains(".")
                    && Files.exists(p.resolveSibling(p.getFileName() + ".dat"))).sorted().toList();
        }
        Set<String> out = new LinkedHashSet<>();
        for (Path file : files) {
            String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            for (String fortune : content.split("(?m)^%\\s*$")) {
                StringBuilder body = new StringBuilder();
                for (String line : fortune.split("\n")) {
                    String trimmed = line.strip();
                    if (trimmed.startsWith("--") || trimmed.startsWith("-- ")) break; // attribution
                    body.append(trimmed).append(' ');
                }
                for (String sentence : SENTENCE_END.split(body.toString().strip())) accept(sentence, out);
            }
        }
        return List.copyOf(out);
    }

    /** The quoted example sentences of WordNet's {@code data.noun/verb/adj/adv} in {@code dir}. */
    public static List<String> fromWordNet(Path dir) throws IOException {
        Set<String> out = new LinkedHashSet<>();
        for (String gloss : wordNetGlosses(dir)) {
            Matcher m = WORDNET_EXAMPLE.matcher(gloss);
            while (m.find()) accept(m.group(1), out);
        }
        return List.copyOf(out);
    }

    /**
     * The gloss of every synset in WordNet's {@code data.adj/adv/noun/verb} of {@code dir} (what follows the line's
     * {@code |}: definitions and quoted examples, separated by semicolons), in file order; none when not installed.
     */
    static List<String> wordNetGlosses(Path dir) throws IOException {
        List<String> glosses = new ArrayList<>();
        for (String part : List.of("adj", "adv", "noun", "verb")) {
            Path file = dir.resolve("data." + part);
            if (!Files.isRegularFile(file)) continue;
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                int bar = line.indexOf('|');
                if (line.startsWith("  ") || bar < 0) continue; // license header lines start with two spaces
                glosses.add(line.substring(bar + 1));
            }
        }
        return glosses;
    }

    /**
     * The sentences of a UTF-8 text file, one per line. Lines already in normalized form ({@code [a-z' ]}, as
     * {@link #write} stores them) are kept as they are when they have 3 to 25 words; any other line goes through the
     * same filters and normalization as the fortunes. Blank lines are skipped and duplicates dropped; the file order is
     * kept.
     *
     * @throws IllegalArgumentException when the file does not exist or yields no sentence
     */
    public static List<String> fromFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("sentences file " + file + " does not exist or is not a regular file");
        Set<String> out = new LinkedHashSet<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String s = line.strip();
            if (s.isEmpty()) continue;
            // the raw-text filters reject some normalized text (a spoken single letter such as "x"), so they only
            // apply to lines that normalization would still change
            if (TextNormalizer.normalize(s).equals(s)) {
                int words = s.split(" ").length;
                if (words >= MIN_WORDS && words <= MAX_WORDS) out.add(s);
            } else {
                accept(s, out);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("sentences file " + file + " has no usable sentence (one per line, plain English, "
                    + MIN_WORDS + " to " + MAX_WORDS + " words)");
        }
        return List.copyOf(out);
    }

    /** A seeded random sample of at most {@code max} sentences, in their original order; all of them when fewer. */
    public static List<String> sample(List<String> sentences, int max, long seed) {
        if (max < 1) throw new IllegalArgumentException("sample size must be >= 1, got " + max);
        if (sentences.size() <= max) return List.copyOf(sentences);
        List<Integer> indices = new ArrayList<>(sentences.size());
        for (int i = 0; i < sentences.size(); i++) indices.add(i);
        Collections.shuffle(indices, new Random(seed));
        List<Integer> kept = new ArrayList<>(indices.subList(0, max));
        Collections.sort(kept);
        return kept.stream().map(sentences::get).toList();
    }

    /** Writes {@code sentences} to {@code file}, one per line (UTF-8), for {@link #fromFile}. */
    public static void write(List<String> sentences, Path file) throws IOException {
        for (String s : sentences) {
            if (s.isBlank() || s.contains("\n") || s.contains("\r")) throw new IllegalArgumentException("cannot store sentence as one line: '" + s + "'");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.write(file, sentences, StandardCharsets.UTF_8);
    }

    /** {@code FILE [MAX [SEED]]}: writes the installed sentences (a seeded sample of at most MAX) to FILE. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: SentenceSource FILE [MAX [SEED [HELD_OUT...]]]  (writes the installed sentences, one per "
                    + "line, without those of the HELD_OUT manifests or sentence lists)");
            System.exit(2);
        }
        try {
            Path file = Path.of(args[0]);
            int max = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
            long seed = args.length > 2 ? Long.parseLong(args[2]) : 1;
            List<Path> heldOutFiles = java.util.Arrays.stream(args).skip(3).map(Path::of).toList();
            Set<String> heldOut = HeldOutSentences.read(heldOutFiles);
            List<String> all = loadInstalled();
            if (all.isEmpty()) throw new IllegalStateException("no sentences: fortunes / wordnet-base are not installed (ci/install-tts.sh)");
            List<String> allowed = HeldOutSentences.without(all, heldOut);
            List<String> kept = sample(allowed, max, seed);
            write(kept, file);
            System.out.printf(java.util.Locale.ROOT, "%d of %d sentences -> %s (%d bytes)%s%n", kept.size(), all.size(), file, Files.size(file),
                    heldOut.isEmpty() ? "" : "; " + (all.size() - allowed.size()) + " held out by " + heldOutFiles.size() + " files left out");
        } catch (IOException | RuntimeException e) {
            System.err.println("SentenceSource: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Adds the normalized form of {@code raw} to {@code out} when it passes the filters. */
    static void accept(String raw, Set<String> out) {
        String s = raw.strip();
        if (s.isEmpty() || !PLAIN.matcher(s).matches() || SUSPICIOUS.matcher(s).find()) return;
        String normalized = TextNormalizer.normalize(s);
        if (normalized.isEmpty()) return;
        int words = normalized.split(" ").length;
        if (words >= MIN_WORDS && words <= MAX_WORDS) out.add(normalized);
    }
}
