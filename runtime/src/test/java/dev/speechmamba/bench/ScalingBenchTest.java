package dev.speechmamba.bench;

import dev.speechmamba.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CI-sized scaling run on the CPU: the CSV and the plot are well-formed (no timing assertions). */
class ScalingBenchTest {
    private static final List<String> HEADER = List.of(ScalingBench.CSV_HEADER.split(","));

    private static String[] run(String... args) {
        return CliRun.of(args).asArray();
    }

    private static int column(String name) {
        int i = HEADER.indexOf(name);
        assertTrue(i >= 0, "no column " + name);
        return i;
    }

    private static List<String[]> rows(Path csv) throws Exception {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(ScalingBench.CSV_HEADER, lines.getFirst());
        List<String[]> rows = lines.stream().skip(1).map(l -> l.split(",", -1)).toList();
        for (String[] r : rows) assertEquals(HEADER.size(), r.length, "cells in " + String.join(",", r));
        return rows;
    }

    private static Document parseSvg(Path svg) throws Exception {
        assertTrue(Files.size(svg) > 0);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        return doc;
    }

    @Test
    void tinyCpuRunWritesOneRowPerModelAndLength(@TempDir Path dir) throws Exception {
        String[] r = run("bench", "scaling", "--device", "cpu", "--config", "tiny", "--minutes", "0.1,0.05,0.2",
                "--repeats", "1", "--warmup", "0", "--window", "16", "--out", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String[]> rows = rows(dir.resolve("scaling.csv"));
        assertEquals(3 * 3, rows.size(), "3 models × 3 lengths");
        Set<String> models = new HashSet<>();
        for (String[] row : rows) {
            models.add(row[column("model")] + "/" + row[column("config")] + "/" + row[column("attention")]);
            assertEquals("ok", row[column("status")], String.join(",", row));
            for (String numeric : List.of("minutes", "encoder_ms", "transcribe_ms", "peak_mb", "activation_mb",
                    "weights_mb", "encoder_exponent", "transcribe_exponent")) {
                double v = Double.parseDouble(row[column(numeric)]);
                assertTrue(Double.isFinite(v), numeric + " = " + v);
                if (!numeric.endsWith("exponent")) assertTrue(v > 0, numeric + " = " + v);
            }
            int frames = Integer.parseInt(row[column("input_frames")]);
            assertEquals(Math.round(Double.parseDouble(row[column("minutes")]) * 6000), frames);
            assertEquals((frames + 3) / 4, Integer.parseInt(row[column("encoder_frames")]));
            assertTrue(Integer.parseInt(row[column("tokens")]) >= 0);
        }
        assertEquals(Set.of("speech-mamba/tiny/full", "speech-mamba/tiny/window=16", "transformer/transformer-tiny/full"),
                models);
        // Lengths ascend within each model.
        assertEquals(List.of("0.0500", "0.1000", "0.2000"),
                rows.subList(0, 3).stream().map(x -> x[column("minutes")]).toList());
        Document svg = parseSvg(dir.resolve("scaling.svg"));
        assertEquals(6, svg.getElementsByTagName("polyline").getLength(), "encoder and transcription curve per model");
        assertTrue(Files.readString(dir.resolve("scaling.md")).contains("| speech-mamba (tiny) | window=16 | 3 |"));
        Path png = dir.resolve("scaling.png");
        if (Files.exists(png)) {
            byte[] magic = java.util.Arrays.copyOf(Files.readAllBytes(png), 8);
            assertTrue(java.util.Arrays.equals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, magic));
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
            assertEquals(ScalingPlot.WIDTH, image.getWidth());
            assertEquals(ScalingPlot.HEIGHT, image.getHeight());
        } else {
            assertTrue(r[1].contains("PNG plot not written"), "a missing PNG must be explained: " + r[1]);
        }
        assertTrue(r[1].contains("scaling.csv"), r[1]);
    }

    /** A length past the time limit says "timeout", longer ones "skipped"; the files are still written. */
    @Test
    void timeoutRowsInsteadOfFailure(@TempDir Path dir) throws Exception {
        String[] r = run("bench", "scaling", "--device", "cpu", "--config", "tiny", "--baseline", "none",
                "--minutes", "0.01,0.02", "--repeats", "1", "--warmup", "0", "--time-limit-s", "0.000001",
                "--out", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String[]> rows = rows(dir.resolve("scaling.csv"));
        assertEquals(4, rows.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i % 2 == 0 ? "timeout" : "skipped", rows.get(i)[column("status")]);
            assertEquals("", rows.get(i)[column("encoder_ms")]);
            assertEquals("", rows.get(i)[column("encoder_exponent")]);
        }
        Document svg = parseSvg(dir.resolve("scaling.svg"));
        assertEquals(0, svg.getElementsByTagName("polyline").getLength());
    }

    /**
     * A length whose run throws gives an "error" row and "skipped" for that model's longer lengths; the next
     * model still runs, and the CSV already holds the first model's rows while the second one runs.
     */
    @Test
    void failingLengthIsAnErrorRowAndTheBenchGoesOn(@TempDir Path dir) throws Exception {
        ScalingBench.Settings settings = new ScalingBench.Settings("cpu", "tiny", null, List.of(0.01, 0.02, 0.03), dir,
                0, 1, 16, 600, 7);
        StringWriter log = new StringWriter();
        int[] failuresLeft = {1};
        List<List<String>> csvSeenBySecondModel = new java.util.ArrayList<>();
        int[] runs = {0};
        ScalingBench bench = new ScalingBench(settings, new PrintWriter(log)).beforeEachRun(frames -> {
            runs[0]++;
            if (frames == 120 && failuresLeft[0]-- > 0) {
                throw new IllegalStateException("injected failure at " + frames + " frames\nsecond line");
            }
            if (runs[0] == 3) {   // the first run of the second model (the first model ran twice, then failed)
                try {
                    csvSeenBySecondModel.add(Files.readAllLines(dir.resolve("scaling.csv")));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        ScalingBench.Result result = bench.run();
        List<String> statuses = result.rows().stream().map(ScalingBench.Row::status).toList();
        assertEquals(List.of("ok", "error", "skipped", "ok", "ok", "ok"), statuses);
        List<String[]> rows = rows(dir.resolve("scaling.csv"));
        assertEquals(statuses, rows.stream().map(r -> r[column("status")]).toList());
        assertEquals("", rows.get(1)[column("encoder_ms")]);
        assertTrue(log.toString().contains("injected failure at 120 frames"), log.toString());
        assertFalse(log.toString().contains("second line"), "only the first line is logged: " + log);
        assertEquals(1, csvSeenBySecondModel.size());
        List<String> partial = csvSeenBySecondModel.getFirst();
        assertEquals(1 + 3, partial.size(), "header and the first model's rows: " + partial);
        assertTrue(partial.get(2).contains(",error,"), partial.get(2));
        assertTrue(Files.readString(dir.resolve("scaling.md")).contains("| error |"));
    }

    /** Global tokens label the windowed series "window=W+global=G" (same columns), and --replot reads it back. */
    @Test
    void globalTokensLabelTheWindowedSeriesAndReplot(@TempDir Path dir) throws Exception {
        String[] r = run("bench", "scaling", "--device", "cpu", "--config", "tiny", "--baseline", "none",
                "--minutes", "0.02", "--repeats", "1", "--warmup", "0", "--window", "8", "--global-tokens", "4",
                "--out", dir.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String[]> rows = rows(dir.resolve("scaling.csv"));
        assertEquals(List.of("full", "window=8+global=4"), rows.stream().map(x -> x[column("attention")]).toList());
        for (String[] row : rows) assertEquals("ok", row[column("status")], String.join(",", row));
        Path replotted = dir.resolve("replot");
        String[] re = run("bench", "scaling", "--replot", dir.resolve("scaling.csv").toString(), "--out",
                replotted.toString());
        assertEquals("0", re[0], re[1] + re[2]);
        assertTrue(Files.readString(replotted.resolve("scaling.md")).contains("| window=8+global=4 |"));

        String[] bad = run("bench", "scaling", "--config", "tiny", "--global-tokens", "-2", "--out", dir.toString());
        assertEquals("2", bad[0], bad[1] + bad[2]);
        assertTrue(bad[2].contains("global tokens must be >= 0, got -2"), bad[2]);
    }

    @Test
    void badOptionsAreUsageErrors(@TempDir Path dir) {
        String[] r = run("bench", "scaling", "--config", "tiny", "--minutes", "0,1", "--out", dir.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("length 0.0 min"), r[2]);
        r = run("bench", "scaling", "--config", "transformer-tiny", "--out", dir.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("must be a Speech-Mamba config"), r[2]);
        assertFalse(Files.exists(dir.resolve("scaling.csv")));
    }

    @Test
    void logLogSlopeRecoversPowerLaws() {
        double[] x = {1, 2, 5, 10, 60};
        double[] linear = new double[x.length], quadratic = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            linear[i] = 3 * x[i];
            quadratic[i] = 0.5 * x[i] * x[i];
        }
        assertEquals(1.0, ScalingBench.logLogSlope(x, linear), 1e-12);
        assertEquals(2.0, ScalingBench.logLogSlope(x, quadratic), 1e-12);
        assertTrue(Double.isNaN(ScalingBench.logLogSlope(new double[] {1}, new double[] {1})));
    }
}
