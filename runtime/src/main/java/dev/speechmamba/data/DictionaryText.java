package dev.speechmamba.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Text for language models beyond the sentences synth-corpus speaks: the glosses (definitions) of WordNet
 * ({@code wordnet-base}) and the definitions and quotations of GCIDE, the GNU edition of the 1913 Webster's
 * ({@code dict-gcide}). Ten times the words of {@link SentenceSource}'s sentences, of the same vocabulary; an LM over
 * both misses fewer of an unseen sentence's words and phrases.
 *
 * <p>Nothing here may tell an LM about a held-out sentence: a WordNet synset one of whose example sentences is held
 * out gives no gloss (the gloss names what the example is about), GCIDE's paragraphs copied from WordNet are skipped
 * altogether, and no piece that normalizes to a held-out sentence is returned. The pieces are raw text; {@code LmText}
 * normalizes them as it does every sentence.
 */
public final class DictionaryText {
    /** Where GCIDE's dictd file is looked for: as the dict-gcide package installs it, or as ci/install-tts.sh unpacks it. */
    public static final List<Path> GCIDE_PLACES = List.of(Path.of("/usr/share/dictd/gcide.dict.dz"),
            Path.of("/usr/local/share/dictd/gcide.dict.dz"));
    private static final int MIN_WORDS = 3;

    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\n\\s*\n");
    private static final Pattern ATTRIBUTION = Pattern.compile("--\\s*[A-Z][\\w. ]*\\.?");
    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[A-Z])");
    private static final Pattern CLAUSE_END = Pattern.compile("(?<=[.;])\\s+");
    private static final Pattern QUOTE_MARKUP = Pattern.compile("\\[[^\\]]*]|[{}*]");
    private static final Pattern DEFINITION_MARKUP = Pattern.compile("\\[[^\\]]*]|[{}]|--\\w+\\.?");
    private static final Pattern HEADWORD_LINE = Pattern.compile("^[A-Z][a-z]* \\\\.*", Pattern.DOTALL);
    private static final Pattern SENSE_NUMBER = Pattern.compile("^\\d+\\.\\s*");

    private DictionaryText() { }

    /** WordNet's installed glosses and, when {@code gcide} is given ({@link #installedGcide}), its text; empty when neither is. */
    public static List<String> loadInstalled(Optional<Path> gcide, Set<String> heldOut) throws IOException {
        List<String> out = new ArrayList<>(wordNetGlosses(SentenceSource.WORDNET, heldOut));
        if (gcide.isPresent()) out.addAll(gcide(gcide.get(), heldOut));
        return out;
    }

    /** The first of {@link #GCIDE_PLACES} that exists. */
    public static Optional<Path> installedGcide() {
        return GCIDE_PLACES.stream().filter(Files::isRegularFile).findFirst();
    }

    /**
     * The definitions in WordNet's {@code data.adj/adv/noun/verb} of {@code dir}: each gloss split at its semicolons,
     * its quoted examples removed, pieces of at least three words.
     *
     * @param heldOut normalized sentences ({@link HeldOutSentences#read}): synsets with one of them as an example give nothing
     */
    public static List<String> wordNetGlosses(Path dir, Set<String> heldOut) throws IOException {
        List<String> out = new ArrayList<>();
        for (String gloss : SentenceSource.wordNetGlosses(dir)) {
            Matcher example = QUOTED.matcher(gloss);
            boolean heldOutExample = false;
            while (example.find() && !heldOutExample) heldOutExample = HeldOutSentences.holds(heldOut, example.group(1));
            if (heldOutExample) continue;
            for (String definition : QUOTED.matcher(gloss).replaceAll("").split(";")) keep(definition.strip(), heldOut, out);
        }
        return out;
    }

    /**
     * GCIDE's text from its dictd file ({@code gcide.dict.dz}, gzip-compatible): for each paragraph not taken from
     * WordNet, its indented quotations split into sentences without their attributions, and its definition split at
     * full stops and semicolons; entries' headword lines and bracketed etymologies and sources are left out.
     */
    public static List<String> gcide(Path dictDz, Set<String> heldOut) throws IOException {
        if (!Files.isRegularFile(dictDz)) throw new IllegalArgumentException("GCIDE file " + dictDz + " does not exist (ci/install-tts.sh unpacks dict-gcide's)");
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dictDz), 1 << 16)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> out = new ArrayList<>();
        for (String paragraph : PARAGRAPH_BREAK.split(text)) {
            String tail = paragraph.substring(Math.max(0, paragraph.length() - 30));
            if (paragraph.contains("WordNet") || tail.contains("WN")) continue;
            StringBuilder quote = new StringBuilder(), body = new StringBuilder();
            for (String line : paragraph.split("\n")) {
                String stripped = line.strip();
                if (line.startsWith(" ".repeat(10))) quote.append(stripped).append(' ');
                else if (!stripped.startsWith("[")) body.append(stripped).append(' ');
            }
            if (!quote.isEmpty()) {
                for (String sentence : SENTENCE_END.split(ATTRIBUTION.matcher(quote.toString().strip()).replaceAll(" "))) {
                    keep(QUOTE_MARKUP.matcher(sentence).replaceAll(" ").strip(), heldOut, out);
                }
            }
            String definition = body.toString().strip();
            if (HEADWORD_LINE.matcher(definition).matches()) continue;
            definition = DEFINITION_MARKUP.matcher(SENSE_NUMBER.matcher(definition).replaceFirst("")).replaceAll(" ");
            for (String piece : CLAUSE_END.split(definition)) keep(stripPunctuation(piece), heldOut, out);
        }
        return out;
    }

    private static String stripPunctuation(String s) {
        int from = 0, to = s.length();
        while (from < to && " .;".indexOf(s.charAt(from)) >= 0) from++;
        while (to > from && " .;".indexOf(s.charAt(to - 1)) >= 0) to--;
        return s.substring(from, to);
    }

    private static void keep(String piece, Set<String> heldOut, List<String> out) {
        if (piece.isEmpty() || piece.split("\\s+").length < MIN_WORDS) return;
        if (HeldOutSentences.holds(heldOut, piece)) return;
        out.add(piece);
    }
}
