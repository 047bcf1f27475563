package dev.speechmamba.bench;

import dev.speechmamba.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Re-plotting a scaling.csv, and plotting on a runtime without java.desktop. */
class ScalingReplotTest {

    private static String[] cli(String... args) {
        return CliRun.of(args).asArray();
    }

    private static Document svg(Path file) throws Exception {
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        return doc;
    }

    private static List<String> texts(Document doc) {
        NodeList nodes = doc.getElementsByTagName("text");
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) texts.add(nodes.item(i).getTextContent());
        return texts;
    }

    /** A tiny CPU run, then its CSV re-plotted elsewhere: same fits, same tables, well-formed plots. */
    @Test
    void replotReproducesTheRunsFitsAndTables(@TempDir Path dir) throws Exception {
        Path measured = dir.resolve("measured"), replotted = dir.resolve("replotted");
        ScalingBench.Settings settings = new ScalingBench.Settings("cpu", "tiny", "transformer-tiny",
                List.of(0.05, 0.1, 0.2), measured, 0, 1, 16, 600, 3);
        ScalingBench.Result original = new ScalingBench(settings, new PrintWriter(new StringWriter())).run();

        StringWriter log = new StringWriter();
        ScalingBench.Result again = ScalingReplot.replot(original.csv(), replotted, null, new PrintWriter(log));

        assertEquals(original.rows().size(), again.rows().size());
        for (int i = 0; i < original.rows().size(); i++) {
            ScalingBench.Row a = original.rows().get(i), b = again.rows().get(i);
            assertEquals(a.series().model(), b.series().model());
            assertEquals(a.series().config().name(), b.series().config().name());
            assertEquals(a.series().window(), b.series().window());
            assertEquals(a.minutes(), b.minutes(), 1e-9);
            assertEquals(a.encoderFrames(), b.encoderFrames());
            assertEquals(a.status(), b.status());
            assertEquals(a.encoderMs(), b.encoderMs(), 1e-4);
            assertEquals(a.tokens(), b.tokens());
        }
        assertEquals(3, again.fits().size());
        for (int i = 0; i < 3; i++) {
            ScalingBench.Fit a = original.fits().get(i), b = again.fits().get(i);
            assertEquals(a.series().attention(), b.series().attention());
            assertEquals(3, b.points());
            assertTrue(Double.isFinite(b.encoderExponent()));
            assertEquals(a.encoderExponent(), b.encoderExponent(), 1e-3, "encoder exponent of " + a.series());
            assertEquals(a.transcribeExponent(), b.transcribeExponent(), 1e-3, "transcription exponent of " + a.series());
        }
        assertFalse(log.toString().contains("note:"), "refitted exponents agree with the CSV's: " + log);

        List<String> mdBefore = Files.readAllLines(original.table()), mdAfter = Files.readAllLines(again.table());
        assertEquals(replotted.resolve("scaling.md"), again.table());
        assertEquals(mdBefore.size(), mdAfter.size());
        assertEquals(mdBefore.getFirst(), mdAfter.getFirst(), "the measuring run's headline is kept");
        for (int i = 1; i < mdBefore.size(); i++) {
            // model, config, attention, minutes, frames, status cells agree; the numbers only to rounding.
            String[] a = mdBefore.get(i).split("\\|"), b = mdAfter.get(i).split("\\|");
            assertEquals(a.length, b.length, mdAfter.get(i));
            for (int k = 0; k < Math.min(a.length, 4); k++) assertEquals(a[k], b[k], mdAfter.get(i));
        }

        Document doc = svg(again.plot());
        assertEquals(6, doc.getElementsByTagName("polyline").getLength(), "encoder and transcription curve per model");
        List<String> texts = texts(doc);
        assertTrue(texts.contains("Encoder and transcription time vs length (cpu, tiny)"), texts.toString());
        assertTrue(texts.stream().anyMatch(t -> t.startsWith("transformer (transformer-tiny, full)")), texts.toString());
        assertSameUpToRounding(Files.readString(original.plot()), Files.readString(again.plot()).replace("\r", ""));
        if (again.png() != null) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(again.png().toFile());
            assertEquals(ScalingPlot.WIDTH, image.getWidth());
            assertEquals(ScalingPlot.HEIGHT, image.getHeight());
        } else {
            assertTrue(log.toString().contains("PNG plot not written"), log.toString());
        }
        assertFalse(Files.exists(replotted.resolve("scaling.csv")), "the replot does not write a CSV");
    }

    /**
     * The same SVG, except that a coordinate may differ by one in its last printed digit: the CSV keeps times to
     * 4 decimals, so a point that the run placed at x.x5 can land on the other side of the rounding.
     */
    private static void assertSameUpToRounding(String expected, String actual) {
        java.util.regex.Pattern number = java.util.regex.Pattern.compile("-?\\d+(\\.\\d+)?");
        java.util.regex.Matcher e = number.matcher(expected), a = number.matcher(actual);
        assertEquals(number.matcher(expected).replaceAll("#"), number.matcher(actual).replaceAll("#"),
                "same rows and fits give the same SVG apart from numbers");
        while (e.find()) {
            assertTrue(a.find());
            double x = Double.parseDouble(e.group()), y = Double.parseDouble(a.group());
            assertEquals(x, y, 0.1 + 1e-9, "SVG number " + e.group() + " became " + a.group());
        }
        assertFalse(a.find());
    }

    @Test
    void cliReplotTakesATitleAndRejectsBadFiles(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("scaling.csv");
        Files.writeString(csv, ScalingBench.CSV_HEADER + "\n"
                + "speech-mamba,tiny,full,1.0000,6000,1500,ok,10.0000,12.0000,5.0,1.0,0.5,3,1.0000,1.0000,cuda,2\n"
                + "speech-mamba,tiny,full,2.0000,12000,3000,ok,20.0000,24.0000,6.0,2.0,0.5,5,1.0000,1.0000,cuda,2\n"
                + "speech-mamba,tiny,window=8,1.0000,6000,1500,ok,10.0000,12.0000,5.0,1.0,0.5,3,2.0000,2.0000,cuda,2\n"
                + "speech-mamba,tiny,window=8,2.0000,12000,3000,oom,,,,,0.5,,2.0000,2.0000,cuda,2\n");
        Path out = dir.resolve("plots");
        String[] r = cli("bench", "scaling", "--replot", csv.toString(), "--out", out.toString(),
                "--title", "Scaling (cuda, tiny, NVIDIA H200)");
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("Wrote " + out.resolve("scaling.svg")), r[1]);
        Document doc = svg(out.resolve("scaling.svg"));
        assertTrue(texts(doc).contains("Scaling (cuda, tiny, NVIDIA H200)"), texts(doc).toString());
        // window=8 has one completed length: one point, no fit; the CSV's invented 2.0 is reported as a mismatch.
        assertTrue(r[1].contains("note: speech-mamba (tiny, window=8) encoder exponent refitted as NaN, the CSV says 2.0000"), r[1]);
        String md = Files.readString(out.resolve("scaling.md"));
        assertTrue(md.startsWith("Scaling benchmark: device cuda, machine and warm-up runs not recorded in scaling.csv; 2 timed runs"), md);
        assertTrue(md.contains("| speech-mamba | tiny | window=8 | 2 | 3000 | oom | – | – | – | – |"), md);
        assertTrue(md.contains("| speech-mamba (tiny) | full | 2 | 1.000 | 1.000 |"), md);

        r = cli("bench", "scaling", "--replot", dir.resolve("missing.csv").toString(), "--out", out.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("no such file") && r[2].contains("missing.csv"), r[2]);

        Path wrong = dir.resolve("wrong.csv");
        Files.writeString(wrong, "model,config,minutes\nspeech-mamba,tiny,1\n");
        r = cli("bench", "scaling", "--replot", wrong.toString(), "--out", out.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("is not a scaling.csv: header lacks attention"), r[2]);

        Path badNumber = dir.resolve("bad.csv");
        Files.writeString(badNumber, ScalingBench.CSV_HEADER + "\n"
                + "speech-mamba,tiny,full,1.0000,6000,1500,ok,fast,12.0000,5.0,1.0,0.5,3,,,cuda,2\n");
        r = cli("bench", "scaling", "--replot", badNumber.toString(), "--out", out.toString());
        assertEquals("2", r[0], r[1] + r[2]);
        assertTrue(r[2].contains("line 2, column encoder_ms: 'fast' is not a number"), r[2]);
    }

    /**
     * With java.awt unloadable (as on a jlink'd JRE without java.desktop) the SVG and the table are still written
     * and the missing PNG is one log line: the bug of issue 8 was the SVG writer failing to link.
     */
    @Test
    void withoutJavaDesktopTheSvgAndTableAreStillWritten(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("scaling.csv");
        Files.writeString(csv, ScalingBench.CSV_HEADER + "\n"
                + "speech-mamba,tiny,full,1.0000,6000,1500,ok,10.0000,12.0000,5.0,1.0,0.5,3,1.0000,1.0000,cuda,2\n"
                + "speech-mamba,tiny,full,4.0000,24000,6000,ok,40.0000,48.0000,6.0,4.0,0.5,5,1.0000,1.0000,cuda,2\n");
        Path out = dir.resolve("out");
        StringWriter log = new StringWriter();
        ClassLoader noDesktop = new NoDesktopClassLoader();
        Class<?> replot = Class.forName(ScalingReplot.class.getName(), true, noDesktop);
        assertTrue(replot.getClassLoader() == noDesktop, "the replot runs on the restricted loader");
        Method method = replot.getMethod("replot", Path.class, Path.class, String.class, PrintWriter.class);
        Object result;
        try {
            result = method.invoke(null, csv, out, null, new PrintWriter(log));
        } catch (InvocationTargetException e) {
            throw new AssertionError("replot failed without java.desktop", e.getCause());
        }
        assertNotNull(result);
        assertNull(result.getClass().getMethod("png").invoke(result));
        assertTrue(log.toString().contains("PNG plot not written") && log.toString().contains("NoClassDefFoundError"),
                log.toString());
        assertEquals(1, log.toString().lines().filter(l -> l.contains("PNG")).count(), "one clear line: " + log);
        assertEquals(2, svg(out.resolve("scaling.svg")).getElementsByTagName("polyline").getLength());
        assertTrue(Files.readString(out.resolve("scaling.md")).contains("| speech-mamba (tiny) | full | 2 | 1.000 | 1.000 |"));
        assertFalse(Files.exists(out.resolve("scaling.png")));
    }
}
