package dev.speechmamba.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NgramLmTest {
    @TempDir
    Path dir;

    /** A hand-made bigram model whose back-off arithmetic can be followed on paper. */
    static final String BIGRAM = """
            \\data\\
            ngram 1=5
            ngram 2=3

            \\1-grams:
            -1.0\t<unk>
            -99\t<s>\t-0.30103
            -0.5\t</s>
            -0.6\ta\t-0.2
            -0.9\tb

            \\2-grams:
            -0.1\t<s> a
            -0.2\ta b
            -0.4\ta </s>

            \\end\\
            """;

    static NgramLm parse(String arpa) throws IOException {
        return NgramLm.readArpa(new ByteArrayInputStream(arpa.getBytes(StandardCharsets.UTF_8)), "test.arpa", false);
    }

    @Test
    void fileNamesFollowTheFormsReadAndWriteUnderstand() {
        for (String ok : List.of("lm.smlm", "dir/lm.arpa", "lm.arpa.gz")) assertTrue(NgramLm.isFileName(Path.of(ok)), ok);
        for (String bad : List.of("lm.gz", "lm.bin", "lm.smlm.tmp", "lm.arpa.zip")) assertFalse(NgramLm.isFileName(Path.of(bad)), bad);
    }

    @Test
    void backsOffThroughStoredWeights() throws IOException {
        NgramLm lm = parse(BIGRAM);
        int s = lm.bos(), a = lm.wordId("a"), b = lm.wordId("b");
        assertEquals(2, lm.order());
        assertEquals(-0.1, lm.log10Prob(new int[] {s}, 1, a), 1e-6);             // stored bigram
        assertEquals(-0.30103 - 0.9, lm.log10Prob(new int[] {s}, 1, b), 1e-6);  // back-off(<s>) + P(b)
        assertEquals(-0.4, lm.log10Prob(new int[] {b, a}, 2, lm.eos()), 1e-6);  // only the last word counts
        assertEquals(-0.9, lm.log10Prob(new int[] {b}, 1, b), 1e-6);            // b has no back-off weight: 0
        assertEquals(-0.2 - 0.6, lm.log10Prob(new int[] {a}, 1, a), 1e-6);      // back-off(a) + P(a)
        assertEquals(-0.2 - 1.0, lm.log10Prob(new int[] {a}, 1, 99), 1e-6);     // an id outside the vocabulary is <unk>
        assertEquals(-0.6, lm.log10Prob(new int[0], 0, a), 1e-6);               // no context: the unigram
    }

    @Test
    void arpaRoundTripKeepsEveryProbability() throws IOException {
        NgramLm lm = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1, 1, 2}))
                .train(KneserNeyTrainerTest.corpus(200, 7), List.of("never-seen"));
        for (String name : List.of("lm.arpa", "lm.arpa.gz")) {
            Path file = dir.resolve(name);
            lm.writeArpa(file);
            NgramLm back = NgramLm.readArpa(file);
            assertEquals(lm.vocabulary(), back.vocabulary());
            for (int n = 1; n <= 4; n++) assertEquals(lm.count(n), back.count(n));
            Random r = new Random(1);
            for (int q = 0; q < 300; q++) {
                int[] ctx = new int[r.nextInt(4)];
                for (int i = 0; i < ctx.length; i++) ctx[i] = 1 + r.nextInt(lm.vocabulary().size() - 1);
                int w = r.nextInt(lm.vocabulary().size());
                // written with 3 decimals: the probability and up to 3 back-off weights, each within 5e-4
                assertEquals(lm.log10Prob(ctx, ctx.length, w), back.log10Prob(ctx, ctx.length, w), 2.1e-3);
            }
        }
        assertTrue(Files.size(dir.resolve("lm.arpa.gz")) < Files.size(dir.resolve("lm.arpa")));
        try (var listing = Files.list(dir)) {
            assertEquals(2, listing.count(), "no temporary file may stay behind");
        }
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertTrue(Files.getPosixFilePermissions(dir.resolve("lm.arpa.gz")).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                    || Files.getPosixFilePermissions(dir).stream().noneMatch(p -> p == java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
                    "an LM is written with the usual permissions (umask), not owner-only");
        }
    }

    @Test
    void allNextWordsAtOnceEqualOneByOne() {
        NgramLm lm = new KneserNeyTrainer(new KneserNeyTrainer.Options(4, new int[] {1, 1, 2}))
                .train(KneserNeyTrainerTest.corpus(300, 9), List.of("never-seen"));
        double[] all = new double[lm.vocabulary().size()];
        Random r = new Random(2);
        for (int q = 0; q < 200; q++) {
            int[] ctx = new int[r.nextInt(6)];
            for (int i = 0; i < ctx.length; i++) ctx[i] = i == 0 && r.nextBoolean() ? lm.bos() : 3 + r.nextInt(lm.vocabulary().size() - 3);
            lm.nextLog10Probs(ctx, ctx.length, all);
            for (int w = 0; w < all.length; w++) assertEquals(lm.log10Prob(ctx, ctx.length, w), all[w], 1e-9, "word " + w);
        }
    }

    @Test
    void badFilesAreErrorsNamingTheLine() {
        IOException e = assertThrows(IOException.class, () -> parse("hello\n"));
        assertTrue(e.getMessage().contains("\\data\\"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse(BIGRAM.replace("ngram 2=3", "ngram 2=4")));
        assertTrue(e.getMessage().contains("2-gram section ends after 3 of 4"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse(BIGRAM.replace("-0.2\ta b", "-0.2\ta c")));
        assertTrue(e.getMessage().contains("'c', which has no unigram") && e.getMessage().startsWith("test.arpa:"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse(BIGRAM.replace("-0.9\tb", "0.9\tb")));
        assertTrue(e.getMessage().contains("<= 0"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse(BIGRAM.replace("\\end\\", "")));
        assertTrue(e.getMessage().contains("\\end\\"), e.getMessage());
        String trigram = """
                \\data\\
                ngram 1=3
                ngram 2=1
                ngram 3=1

                \\1-grams:
                -99\t<s>
                -0.3\t</s>
                -0.3\ta

                \\2-grams:
                -0.1\t<s> a

                \\3-grams:
                -0.1\ta a </s>

                \\end\\
                """;
        e = assertThrows(IOException.class, () -> parse(trigram));
        assertTrue(e.getMessage().contains("'a a </s>' is stored but its context is not"), e.getMessage());
    }

    @Test
    void builderRejectsDuplicatesAndOversizedKeys() {
        NgramLm.Builder b = new NgramLm.Builder(List.of("<s>", "</s>", "x"), 2);
        b.add(new int[] {2}, -0.5f, 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.add(new int[] {2}, -0.5f, 0f));
        assertTrue(e.getMessage().contains("listed twice"), e.getMessage());
        List<String> big = new java.util.ArrayList<>(List.of("<s>", "</s>"));
        for (int i = 0; i < 5000; i++) big.add("w" + i);
        e = assertThrows(IllegalArgumentException.class, () -> new NgramLm.Builder(big, 6));
        assertTrue(e.getMessage().contains("63"), e.getMessage());
    }
}
