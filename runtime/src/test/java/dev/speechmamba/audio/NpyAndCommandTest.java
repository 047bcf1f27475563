package dev.speechmamba.audio;

import dev.speechmamba.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(30)
class NpyAndCommandTest {

    @TempDir
    Path dir;

    private record Result(int code, String output) { }

    private static Result python(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(-1, "python3 not startable: " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-2, "timed out");
        }
        return new Result(p.exitValue(), out);
    }

    private static void assumeNumpy() throws IOException, InterruptedException {
        assumeTrue(python("import numpy").code == 0, "python3 with numpy is not available");
    }

    @Test
    void javaRoundTripAndHeaderLayout() throws IOException {
        Path p = dir.resolve("a.npy");
        float[] data = {1.5f, -2f, 3.25f, 0f, Float.MIN_VALUE, -0f};
        Npy.write(p, data, 2, 3);
        Npy.Array back = Npy.read(p);
        assertArrayEquals(new int[] {2, 3}, back.shape());
        assertArrayEquals(data, back.data());
        byte[] bytes = Files.readAllBytes(p);
        int headerLength = (bytes[8] & 0xFF) | (bytes[9] & 0xFF) << 8;
        assertEquals(0, (10 + headerLength) % 64, "data aligned to 64 bytes");
        assertEquals('\n', bytes[10 + headerLength - 1]);
        assertEquals(10 + headerLength + 4 * data.length, bytes.length);
        Npy.write(p, new float[] {7f}, 1);
        assertArrayEquals(new int[] {1}, Npy.read(p).shape());
        Npy.write(p, new float[0], 0, 80);
        assertArrayEquals(new int[] {0, 80}, Npy.read(p).shape());
        assertThrows(IllegalArgumentException.class, () -> Npy.write(p, new float[5], 2, 3));
        Files.write(p, new byte[] {1, 2, 3});
        assertThrows(IOException.class, () -> Npy.read(p));
    }

    @Test
    void numpyReadsOurFilesAndWeReadNumpys() throws Exception {
        assumeNumpy();
        Path ours = dir.resolve("ours.npy");
        float[] data = new float[3 * 4];
        for (int i = 0; i < data.length; i++) data[i] = i * 0.5f - 2;
        Npy.write(ours, data, 3, 4);
        Result r = python("""
                import sys, numpy as np
                a = np.load(sys.argv[1])
                assert a.dtype == np.float32 and a.dtype.byteorder in '<=', a.dtype
                assert a.shape == (3, 4) and a.flags['C_CONTIGUOUS'], a.shape
                assert np.array_equal(a, (np.arange(12, dtype=np.float32) * 0.5 - 2).reshape(3, 4))
                np.save(sys.argv[2], np.arange(6, dtype=np.float64).reshape(2, 3) / 4)
                print('ok')
                """, ours.toString(), dir.resolve("theirs.npy").toString());
        assertEquals(0, r.code, r.output);
        Npy.Array theirs = Npy.read(dir.resolve("theirs.npy"));
        assertArrayEquals(new int[] {2, 3}, theirs.shape());
        assertArrayEquals(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f}, theirs.data());
    }

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out + err.toString());
    }

    @Test
    void fbankCommandWritesFeaturesNumpyCanLoad() throws Exception {
        assumeNumpy();
        Path wav = FbankTest.resource("vowels_1p3s.wav");
        Path npy = dir.resolve("out/vowels.npy");
        Result run = cli("fbank", wav.toString(), "--out", npy.toString());
        assertEquals(0, run.code, run.output);
        assertTrue(run.output.contains("[128, 80]"), run.output);
        Result check = python("""
                import sys, numpy as np
                a = np.load(sys.argv[1]); g = np.load(sys.argv[2])
                assert a.dtype == np.float32 and a.shape == (128, 80), (a.dtype, a.shape)
                d = float(np.max(np.abs(a - g)))
                assert d < 1e-3, d
                print('max diff', d)
                """, npy.toString(), FbankTest.resource("vowels_1p3s.npy").toString());
        assertEquals(0, check.code, check.output);
    }

    @Test
    void fbankCommandResamplesAndNormalizesAndReportsBadFiles() throws IOException {
        Path wav = dir.resolve("stereo44k.wav");
        float[] stereo = new float[2 * 44100 / 2];
        for (int i = 0; i < stereo.length / 2; i++) stereo[2 * i] = stereo[2 * i + 1] = (float) (0.3 * Math.sin(i * 0.1));
        WavWriter.write(wav, stereo, 2, 44100, WavEncoding.PCM_S24);
        Path stats = dir.resolve("cmvn.json");
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(80);
        Features raw = new Fbank().compute(WavReader.read16kMono(wav));
        acc.add(raw);
        acc.finish().save(stats);
        Path npy = dir.resolve("n.npy");
        Result run = cli("fbank", wav.toString(), "--out", npy.toString(), "--cmvn", stats.toString());
        assertEquals(0, run.code, run.output);
        Npy.Array a = Npy.read(npy);
        assertArrayEquals(new int[] {Fbank.numFrames(8000), 80}, a.shape());
        double mean = 0;
        for (float v : a.data()) mean += v;
        assertEquals(0, mean / a.data().length, 1e-4, "normalized with its own statistics");

        Path bad = dir.resolve("broken.wav");
        Files.write(bad, "RIFF....WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
        Result failed = cli("fbank", bad.toString(), "--out", dir.resolve("x.npy").toString());
        assertEquals(Main.EXIT_FAILURE, failed.code);
        assertTrue(failed.output.contains("broken.wav") && failed.output.contains("truncated"), failed.output);
        assertEquals(Main.EXIT_USAGE, cli("fbank", wav.toString()).code, "--out is required");
        Result help = cli("fbank", "--help");
        assertEquals(0, help.code);
        assertTrue(help.output.contains("Usage:") && help.output.contains("--cmvn"), help.output);
    }
}
