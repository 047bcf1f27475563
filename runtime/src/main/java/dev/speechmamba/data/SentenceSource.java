package dev.speechmamba.data;

import dev.speechmamba.text.TextNormalizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * English sentences from text that Debian ships: the fortune cookie files ({@code fortunes}, {@code fortunes-min})
 * and the quoted example sentences in WordNet's {@code data.*} files ({@code wordnet-base}). Each candidate is
 * filtered (plain English letters, no URLs or code-like text), normalized with {@link TextNormalizer} and kept
 * when it has 3 to 25 words; duplicates are dropped. The order is stable (files sorted by name).
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
        for (String part : List.of("adj", "adv", "noun", "verb")) {
            Path file = dir.resolve("data." + part);
            if (!Files.isRegularFile(file)) continue;
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                int gloss = line.indexOf('|');
                if (line.startsWith("  ") || gloss < 0) continue; // license header lines start with two spaces
                Matcher m = WORDNET_EXAMPLE.matcher(line.substring(gloss + 1));
                while (m.find()) accept(m.group(1), out);
            }
        }
        return List.copyOf(out);
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
