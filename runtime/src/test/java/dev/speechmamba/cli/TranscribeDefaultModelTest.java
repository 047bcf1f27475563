package dev.speechmamba.cli;

import dev.speechmamba.transcribe.BundledModel;
import dev.speechmamba.transcribe.ModelSource;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code transcribe} without {@code --model} on a fresh checkout: the bundled model, announced on stderr only. */
class TranscribeDefaultModelTest {

    @Test
    void transcribesTheShippedSampleWithTheBundledModel() {
        // The resolution order itself is unit-tested in ModelSourceTest; here the process must fall through to the jar.
        assumeTrue(System.getenv(ModelSource.MODEL_ENV) == null && !Files.exists(Path.of(ModelSource.LOCAL_FOLDER)),
                "this test needs no $" + ModelSource.MODEL_ENV + " and no ./model in " + Path.of("").toAbsolutePath());
        Path sample = Path.of("..", "examples", "sample.wav");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"transcribe", sample.toString(), "--device", "cpu", "--beam", "4"},
                new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        assertFalse(out.toString().isBlank(), "the transcript must not be empty; stderr: " + err);
        assertEquals(1, out.toString().lines().count(), out.toString());
        assertFalse(out.toString().contains("model:"), "which model is used goes to stderr, not into the transcript");
        assertTrue(err.toString().contains("model: bundled default model (" + BundledModel.RESOURCE), err.toString());
        assertTrue(err.toString().contains("LM of the model (6-gram), weight"), err.toString());
    }
}
