package dev.speechmamba.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalCmvnTest {

    @TempDir
    Path dir;

    private static Features random(Random r, int frames, int dims, double offset) {
        float[] data = new float[frames * dims];
        for (int t = 0; t < frames; t++) {
            for (int d = 0; d < dims; d++) data[t * dims + d] = (float) (offset + d + (1 + d % 3) * r.nextGaussian());
        }
        return new Features(data, frames, dims);
    }

    @Test
    void streamingStatisticsEqualTheTwoPassOnes() {
        Random r = new Random(3);
        int dims = 5;
        Features[] utterances = {random(r, 17, dims, 1000), random(r, 1, dims, 1000), random(r, 0, dims, 1000), random(r, 240, dims, 1000)};
        GlobalCmvn.Accumulator one = new GlobalCmvn.Accumulator(dims);
        GlobalCmvn.Accumulator left = new GlobalCmvn.Accumulator(dims);
        GlobalCmvn.Accumulator right = new GlobalCmvn.Accumulator(dims);
        for (int i = 0; i < utterances.length; i++) {
            one.add(utterances[i]);
            (i % 2 == 0 ? left : right).add(utterances[i]);
        }
        left.merge(right);
        GlobalCmvn a = one.finish();
        GlobalCmvn b = left.finish();
        assertEquals(258, a.frames());
        for (int d = 0; d < dims; d++) {
            double sum = 0, n = 0;
            for (Features f : utterances) for (int t = 0; t < f.frames(); t++) { sum += f.get(t, d); n++; }
            double mean = sum / n, sq = 0;
            for (Features f : utterances) for (int t = 0; t < f.frames(); t++) sq += Math.pow(f.get(t, d) - mean, 2);
            double std = Math.sqrt(sq / n);
            assertEquals(mean, a.mean(d), 1e-9);
            assertEquals(std, a.std(d), 1e-9);
            assertEquals(mean, b.mean(d), 1e-9);
            assertEquals(std, b.std(d), 1e-9);
        }
    }

    @Test
    void applyNormalizesAndSaveLoadRoundTrips() throws IOException {
        Random r = new Random(4);
        Features f = random(r, 500, 80, 12);
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(80);
        acc.add(f);
        GlobalCmvn cmvn = acc.finish();
        Path json = dir.resolve("stats/cmvn.json");
        cmvn.save(json);
        GlobalCmvn loaded = GlobalCmvn.load(json);
        assertEquals(cmvn.frames(), loaded.frames());
        for (int d = 0; d < 80; d++) {
            assertEquals(cmvn.mean(d), loaded.mean(d), 0);
            assertEquals(cmvn.std(d), loaded.std(d), 0);
        }
        Features normalized = loaded.apply(f);
        assertEquals(12f + 1, f.get(0, 1), 5, "input unchanged by apply");
        for (int d = 0; d < 80; d++) {
            double sum = 0, sq = 0;
            for (int t = 0; t < 500; t++) { sum += normalized.get(t, d); sq += normalized.get(t, d) * normalized.get(t, d); }
            assertEquals(0, sum / 500, 1e-5);
            assertEquals(1, sq / 500, 1e-4);
        }
        assertThrows(IllegalArgumentException.class, () -> loaded.applyInPlace(random(r, 3, 40, 0)));
    }

    @Test
    void constantDimensionsDoNotBlowUp() {
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(2);
        acc.add(new Features(new float[] {1, 5, 1, 7, 1, 9}, 3, 2));
        GlobalCmvn cmvn = acc.finish();
        assertEquals(0, cmvn.std(0), 0);
        Features out = cmvn.apply(new Features(new float[] {1, 7}, 1, 2));
        assertArrayEquals(new float[] {0f, 0f}, out.data());
    }

    @Test
    void badInputsAreRejectedWithReasons() throws IOException {
        assertThrows(IllegalStateException.class, () -> new GlobalCmvn.Accumulator(3).finish());
        assertThrows(IllegalArgumentException.class, () -> new GlobalCmvn.Accumulator(3).add(new Features(new float[4], 1, 4)));
        Path notJson = Files.writeString(dir.resolve("a.json"), "{ nope");
        IOException e1 = assertThrows(IOException.class, () -> GlobalCmvn.load(notJson));
        assertTrue(e1.getMessage().contains("a.json"), e1.getMessage());
        Path other = Files.writeString(dir.resolve("b.json"), "{\"format\": \"something-else\"}");
        assertTrue(assertThrows(IOException.class, () -> GlobalCmvn.load(other)).getMessage().contains("not a CMVN statistics file"));
        Path mismatch = Files.writeString(dir.resolve("c.json"),
                "{\"format\": \"speech-mamba-global-cmvn\", \"dims\": 2, \"frames\": 3, \"mean\": [0, 1], \"std\": [1]}");
        assertTrue(assertThrows(IOException.class, () -> GlobalCmvn.load(mismatch)).getMessage().contains("dims"));
        Path negative = Files.writeString(dir.resolve("d.json"),
                "{\"format\": \"speech-mamba-global-cmvn\", \"dims\": 1, \"frames\": 3, \"mean\": [0], \"std\": [-1]}");
        assertTrue(assertThrows(IOException.class, () -> GlobalCmvn.load(negative)).getMessage().contains("bad statistics"));
    }
}
