package dev.speechmamba.lm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompactLmFileTest {
    @TempDir
    Path dir;

    /** Sentences over 60 words whose bigrams and trigrams have far more than 256 distinct probabilities. */
    private static List<List<String>> richText(int sentences, long seed) {
        Random r = new Random(seed);
        List<List<String>> out = new ArrayList<>();
        for (int s = 0; s < sentences; s++) {
            List<String> sentence = new ArrayList<>();
            int previous = r.nextInt(60);
            for (int i = 0, len = 2 + r.nextInt(12); i < len; i++) {
                // Skewed transitions (Zipf-like around the previous word) give many distinct counts.
                int next = (int) Math.floorMod(previous + (long) Math.floor(Math.pow(r.nextDouble(), 3) * 60), 60);
                sentence.add("w" + next);
                previous = next;
            }
            out.add(sentence);
        }
        return out;
    }

    @Test
    void fewDistinctValuesAreKeptExactly() throws IOException {
        NgramLm lm = NgramLmTest.parse(NgramLmTest.BIGRAM);
        Path file = dir.resolve("lm.smlm");
        lm.write(file);
        NgramLm back = NgramLm.read(file);
        assertEquals(lm.vocabulary(), back.vocabulary());
        for (int n = 1; n <= lm.order(); n++) {
            assertEquals(lm.count(n), back.count(n));
            for (int e = 0; e < lm.count(n); e++) {
                int other = back.entry(n, lm.key(n, e));
                assertTrue(other >= 0);
                assertEquals(lm.storedLog10Prob(n, e), back.storedLog10Prob(n, other));
                assertEquals(lm.storedLog10Backoff(n, e), back.storedLog10Backoff(n, other));
            }
        }
    }

    @Test
    void anOrderWithoutNgramsRoundTrips() throws IOException {
        NgramLm lm = NgramLmTest.parse(NgramLmTest.BIGRAM.replace("ngram 2=3", "ngram 2=3\nngram 3=0")
                .replace("\\end\\", "\\3-grams:\n\n\\end\\"));
        assertEquals(0, lm.count(3));
        Path file = dir.resolve("empty-top.smlm");
        lm.write(file);
        NgramLm back = NgramLm.read(file);
        assertEquals(lm.toString(), back.toString());
        int s = lm.bos(), a = lm.wordId("a"), b = lm.wordId("b");
        assertEquals(lm.log10Prob(new int[] {s, a}, 2, b), back.log10Prob(new int[] {s, a}, 2, b));
    }

    @Test
    void manyValuesAreQuantizedCloselyAndZeroBackoffsStayZero() throws IOException {
        List<List<String>> text = richText(6000, 11);
        NgramLm lm = new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(3)).train(text, List.of());
        Path file = dir.resolve("rich.smlm");
        lm.write(file);
        NgramLm back = NgramLm.read(file);
        int distinctBigramProbs = (int) java.util.stream.IntStream.range(0, lm.count(2)).mapToDouble(e -> lm.storedLog10Prob(2, e)).distinct().count();
        assertTrue(distinctBigramProbs > 1000, "the test needs quantization: " + distinctBigramProbs + " distinct values");
        double worst = 0, sum = 0;
        int values = 0, zeroBackoffs = 0;
        for (int n = 1; n <= lm.order(); n++) {
            assertEquals(lm.count(n), back.count(n));
            for (int e = 0; e < lm.count(n); e++) {
                int other = back.entry(n, lm.key(n, e));
                double error = Math.abs(lm.storedLog10Prob(n, e) - back.storedLog10Prob(n, other));
                if (n == 1) assertEquals(0, error, "unigrams are kept exactly");
                worst = Math.max(worst, error);
                sum += error;
                values++;
                if (lm.storedLog10Backoff(n, e) == 0f) {
                    zeroBackoffs++;
                    assertEquals(0f, back.storedLog10Backoff(n, other), "a never-context n-gram keeps back-off 0");
                }
            }
        }
        assertTrue(zeroBackoffs > 0);
        assertTrue(sum / values < 0.005, "mean |error| " + sum / values);
        System.out.printf("quantized: mean |error| %.4f, worst %.4f%n", sum / values, worst);
        assertTrue(worst < 0.02, "worst |error| " + worst);
        List<List<String>> heldOut = richText(300, 12);
        double before = lm.perplexity(heldOut), after = back.perplexity(heldOut);
        assertEquals(before, after, 0.01 * before, "perplexity " + before + " -> " + after);
        assertTrue(Files.size(file) < Files.size(writeArpaGz(lm)) / 2, "compact: " + Files.size(file));
    }

    private Path writeArpaGz(NgramLm lm) throws IOException {
        Path arpa = dir.resolve("rich.arpa.gz");
        lm.write(arpa);
        return arpa;
    }

    @Test
    void codebooksCodeEveryValueToItsOwnBin() {
        float[] values = new float[5000];
        Random r = new Random(1);
        for (int i = 0; i < values.length; i++) values[i] = i % 7 == 0 ? 0f : (float) (-6 * r.nextDouble());
        CompactLmFile.Codebook book = CompactLmFile.Codebook.of(values, true);
        assertEquals(256, book.table.length);
        assertEquals(0f, book.table[0]);
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int previousCode = -1;
        for (float v : sorted) {
            if (v == 0f) continue;
            int code = book.code(v);
            assertTrue(code >= 1 && code >= previousCode, "codes follow the values' order");
            assertTrue(Math.abs(book.table[code] - v) <= 1.05 * 6.0 / 255 / 2, v + " -> " + book.table[code]);
            previousCode = code;
        }
        assertEquals(0, book.code(0f));
    }

    @Test
    void badFilesAreClearErrorsNamingTheFile() throws IOException {
        Path notGzip = dir.resolve("plain.smlm");
        Files.writeString(notGzip, "hello");
        IOException e = assertThrows(IOException.class, () -> NgramLm.read(notGzip));
        assertTrue(e.getMessage().contains(notGzip.toString()) && e.getMessage().contains("not a compact language model"), e.getMessage());

        Path arpaInside = dir.resolve("arpa.smlm");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(arpaInside))) {
            out.write(NgramLmTest.BIGRAM.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        e = assertThrows(IOException.class, () -> NgramLm.read(arpaInside));
        assertTrue(e.getMessage().contains("no SMLM header"), e.getMessage());

        Path whole = dir.resolve("whole.smlm");
        new KneserNeyTrainer(KneserNeyTrainer.Options.unpruned(3)).train(richText(500, 2), List.of()).write(whole);
        byte[] bytes = Files.readAllBytes(whole);
        Path truncated = dir.resolve("truncated.smlm");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        e = assertThrows(IOException.class, () -> NgramLm.read(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
    }
}
