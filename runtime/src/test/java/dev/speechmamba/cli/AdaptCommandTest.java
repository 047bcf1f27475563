package dev.speechmamba.cli;

import dev.speechmamba.transcribe.BundledModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code speech-mamba adapt}: the folder it writes is one {@code transcribe --model} takes; bad options are named. */
class AdaptCommandTest {
    private static final Path SAMPLE = Path.of("..", "examples", "sample.wav");

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.run(args, new PrintWriter(out), new PrintWriter(err));
    }

    @Test
    void adaptsThenTranscribeTakesTheFolder(@TempDir Path tmp) {
        assumeTrue(BundledModel.available(), "this build has no bundled model");
        Path adapted = tmp.resolve("adapted");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "adapt", "--model", "../runtime/src/main/resources/dev/speechmamba/models/default",
                "--out", adapted.toString(), "--steps", "1", "--beam", "2", "--device", "cpu", "--quiet", SAMPLE.toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("in 1 steps; model: " + adapted), out.toString());

        StringWriter text = new StringWriter(), err2 = new StringWriter();
        assertEquals(0, run(text, err2, "transcribe", "--model", adapted.toString(), "--beam", "2", "--device", "cpu",
                SAMPLE.toString()), err2.toString());
        assertTrue(text.toString().contains("canoe"), text.toString());
    }

    @Test
    void badOptionsAreUsageErrorsThatNameTheOption(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(Main.EXIT_USAGE, run(out, err, "adapt", SAMPLE.toString()));
        assertTrue(err.toString().contains("--out"), err.toString());

        err = new StringWriter();
        assertEquals(Main.EXIT_USAGE, run(out, err, "adapt", "--out", tmp.resolve("o").toString(), "--steps", "0", SAMPLE.toString()));
        assertTrue(err.toString().contains("steps must be at least 1"), err.toString());

        Path noAudio = Files.createDirectories(tmp.resolve("no-audio"));
        err = new StringWriter();
        assertEquals(Main.EXIT_USAGE, run(out, err, "adapt", "--out", tmp.resolve("o").toString(), noAudio.toString()));
        assertTrue(err.toString().contains("no WAV or FLAC files"), err.toString());
    }
}
