package dev.speechmamba.adapt;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.train.Checkpoint;
import dev.speechmamba.transcribe.BundledModel;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.Transcript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Two-pass speaker adaptation with the bundled model on the shipped sample (a few steps, CPU). */
class SpeakerAdaptationTest {
    private static final Path SAMPLE = Path.of("..", "examples", "sample.wav");
    private static final ModelSource BUNDLED = new ModelSource.Bundled(BundledModel.RESOURCE);

    private static TranscribeOptions beam(int size) {
        return TranscribeOptions.defaults().withBeam(TranscribeOptions.defaults().beam().withBeamSize(size));
    }

    private static SpeakerAdaptation.Options fewSteps(int steps) {
        return SpeakerAdaptation.Options.defaults().withSteps(steps).withDevice("cpu");
    }

    @Test
    void writesAnAdaptedModelFolderThatTranscribesAndHasMovedItsWeights(@TempDir Path tmp) throws Exception {
        assumeTrue(BundledModel.available(), "this build has no bundled model");
        Path out = tmp.resolve("adapted");
        SpeakerAdaptation.Result r = SpeakerAdaptation.run(BUNDLED, List.of(SAMPLE), out, beam(4),
                fewSteps(3).withLearningRate(1e-4), null);

        assertEquals(out, r.model());
        assertEquals(3, r.steps());
        assertEquals(1, r.firstPass().size());
        assertTrue(r.segments() >= 1 && r.seconds() > 1, r.segments() + " segments, " + r.seconds() + " s");
        for (String name : List.of("model.safetensors", "lm.smlm", "lexicon.txt.gz", SpeakerAdaptation.REPORT_FILE)) {
            assertTrue(Files.isRegularFile(out.resolve(name)), name + " missing in " + out);
        }
        assertFalse(Files.exists(out.resolve("work")), "the work folder is removed unless kept");
        assertTrue(Files.readString(out.resolve(SpeakerAdaptation.REPORT_FILE)).contains("\"steps\" : 3"));

        // The weights moved (a few steps at a low rate), and the adapted folder still transcribes the sample right.
        Path source = tmp.resolve("source");
        Files.createDirectories(source);
        BUNDLED.copyTo(source);
        Checkpoint before = Checkpoint.load(source.resolve("model.safetensors"));
        Checkpoint after = Checkpoint.load(out.resolve("model.safetensors"));
        assertEquals(before.tensors().keySet(), after.tensors().keySet());
        double moved = 0;
        for (String name : before.tensors().keySet()) {
            float[] a = before.tensor(name).hostFloats(), b = after.tensor(name).hostFloats();
            for (int i = 0; i < a.length; i++) moved = Math.max(moved, Math.abs(a[i] - b[i]));
        }
        assertTrue(moved > 1e-4 && moved < 0.05, "largest weight change " + moved);

        String firstPass = r.firstPass().getFirst().text();
        try (Backend backend = Backends.create("cpu");
             Transcriber t = Transcriber.load(new ModelSource.Folder(out, "test"), backend, beam(4))) {
            assertTrue(t.languageModel().isPresent() && t.lexicon().isPresent(), "the LM and lexicon travel with the model");
            Transcript second = t.transcribe(AudioFiles.read16kMono(SAMPLE).samples());
            assertEquals(firstPass, second.text());
        }
    }

    @Test
    void refusesAFolderThatHoldsSomethingAndLeavesItAsItWas(@TempDir Path tmp) throws Exception {
        Path out = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(out.resolve("notes.txt"), "keep me");
        var e = assertThrows(DirectoryNotEmptyException.class,
                () -> SpeakerAdaptation.run(BUNDLED, List.of(SAMPLE), out, beam(2), fewSteps(1), null));
        assertTrue(e.getMessage().contains("new or empty folder"), e.getMessage());
        assertEquals("keep me", Files.readString(out.resolve("notes.txt")));
        assertEquals(1, Files.list(out).count());
    }

    @Test
    void silenceIsAClearErrorAndLeavesNoHalfMadeFolder(@TempDir Path tmp) throws Exception {
        assumeTrue(BundledModel.available(), "this build has no bundled model");
        Path silence = tmp.resolve("silence.wav");
        WavWriter.writePcm16(silence, new Audio(new float[2 * Audio.MODEL_RATE], Audio.MODEL_RATE));
        Path out = tmp.resolve("adapted");
        var e = assertThrows(IllegalArgumentException.class,
                () -> SpeakerAdaptation.run(BUNDLED, List.of(silence), out, beam(2), fewSteps(1), null));
        assertTrue(e.getMessage().contains("found no speech"), e.getMessage());
        assertFalse(Files.exists(out), "a failed adaptation leaves nothing behind");

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThrows(IllegalArgumentException.class,
                () -> SpeakerAdaptation.run(BUNDLED, List.of(silence), empty, beam(2), fewSteps(1), null));
        assertTrue(Files.isDirectory(empty), "a folder the user made is kept (emptied of what this run wrote)");
        assertEquals(0, Files.list(empty).count());
    }

    @Test
    void badInputNamesTheProblem(@TempDir Path tmp) {
        var missing = assertThrows(java.nio.file.NoSuchFileException.class, () -> SpeakerAdaptation.run(BUNDLED,
                List.of(tmp.resolve("nope.wav")), tmp.resolve("o"), beam(2), fewSteps(1), null));
        assertTrue(missing.getMessage().contains("nope.wav"), missing.getMessage());
        assertFalse(Files.exists(tmp.resolve("o")));
        assertThrows(IllegalArgumentException.class,
                () -> SpeakerAdaptation.run(BUNDLED, List.of(), tmp.resolve("o"), beam(2), fewSteps(1), null));
        var steps = assertThrows(IllegalArgumentException.class, () -> fewSteps(0));
        assertTrue(steps.getMessage().contains("steps"), steps.getMessage());
        var lr = assertThrows(IllegalArgumentException.class, () -> fewSteps(1).withLearningRate(0.5));
        assertTrue(lr.getMessage().contains("learning rate"), lr.getMessage());
    }
}
