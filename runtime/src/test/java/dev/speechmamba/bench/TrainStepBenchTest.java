package dev.speechmamba.bench;

import dev.speechmamba.cli.CliRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A CI-sized training-step bench on the CPU: the CSV is well formed and the losses finite (no timing assertions). */
class TrainStepBenchTest {
    private static final List<String> HEADER = List.of(TrainStepBench.CSV_HEADER.split(","));

    private static String[] run(String... args) {
        return CliRun.of(args).asArray();
    }

    private static String cell(String[] row, String column) {
        int i = HEADER.indexOf(column);
        assertTrue(i >= 0, "no column " + column);
        return row[i];
    }

    @Test
    void tinyCpuRunWritesOneRowPerConfigWithFiniteLosses(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("sub").resolve("train-step.csv");
        String[] r = run("bench", "train-step", "--device", "cpu", "--config", "tiny,transformer-tiny", "--batch", "2",
                "--seconds", "1", "--target-length", "6", "--warmup", "1", "--steps", "2", "--out", csv.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        List<String> lines = Files.readAllLines(csv);
        assertEquals(TrainStepBench.CSV_HEADER, lines.getFirst());
        assertEquals(3, lines.size(), "header and one row per config: " + lines);
        List<String> expectedConfigs = List.of("tiny", "transformer-tiny");
        for (int k = 0; k < 2; k++) {
            String[] row = lines.get(k + 1).split(",", -1);
            assertEquals(HEADER.size(), row.length, "cells in " + lines.get(k + 1));
            assertEquals("java-cpu", cell(row, "impl"));
            assertEquals(expectedConfigs.get(k), cell(row, "config"));
            assertEquals("cpu", cell(row, "device"));
            assertEquals("2", cell(row, "batch"));
            assertEquals("6", cell(row, "target_len"));
            assertEquals("25", cell(row, "encoder_frames"), "100 frames subsampled 4×");
            assertEquals("2", cell(row, "steps"));
            assertTrue(Long.parseLong(cell(row, "params")) > 0);
            double median = Double.parseDouble(cell(row, "median_ms")), min = Double.parseDouble(cell(row, "min_ms"));
            assertTrue(min > 0 && min <= median, "min " + min + " median " + median);
            double uttPerS = Double.parseDouble(cell(row, "utt_per_s"));
            assertEquals(2 / (median / 1e3), uttPerS, 1e-3 * uttPerS);
            assertEquals(uttPerS, Double.parseDouble(cell(row, "audio_s_per_s")), 1e-3 * uttPerS, "1 s per utterance");
            assertEquals("", cell(row, "peak_mb"), "device peak is measured on CUDA only");
            double first = Double.parseDouble(cell(row, "loss_first")), last = Double.parseDouble(cell(row, "loss_last"));
            assertTrue(Double.isFinite(first) && first > 0, "first loss " + first);
            assertTrue(Double.isFinite(last) && last > 0, "last loss " + last);
            assertNotEquals(first, last, "three Adam steps with dropout change the loss");
            assertTrue(cell(row, "date").matches("\\d{4}-\\d{2}-\\d{2}"), cell(row, "date"));
        }
        assertTrue(r[1].contains("median ms") && r[1].contains("tiny"), r[1]);
    }

    @Test
    void parameterCountMatchesTheModel(@TempDir Path dir) throws Exception {
        TrainStepBench.Settings s = new TrainStepBench.Settings("cpu", List.of("tiny"), 1, 0.5, 3, 0, 1, 1e-4f, 3, null);
        List<TrainStepBench.Row> rows = new TrainStepBench(s, new PrintWriter(new StringWriter())).run();
        try (var be = dev.speechmamba.backend.Backends.create("cpu");
             var model = new dev.speechmamba.model.AsrModel(be, dev.speechmamba.model.ModelConfig.named("tiny"), 0)) {
            assertEquals(model.parameters().count(), rows.getFirst().params());
        }
        assertEquals(13, rows.getFirst().encoderFrames(), "50 frames → 25 → 13");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption() {
        String[][] cases = {
                {"--batch", "0"}, {"--seconds", "0"}, {"--seconds", "0.001"}, {"--steps", "0"}, {"--warmup", "-1"},
                {"--target-length", "0"}, {"--lr", "NaN"}, {"--device", "tpu"}, {"--config", "no-such-config"},
        };
        String[] names = {"--batch", "--seconds", "--seconds", "--steps", "--warmup", "--target-length", "--lr", "--device",
                "no-such-config"};
        for (int i = 0; i < cases.length; i++) {
            String[] r = run("bench", "train-step", "--device", "cpu", "--config", "tiny", "--seconds", "1",
                    "--target-length", "5", cases[i][0], cases[i][1]);
            assertNotEquals("0", r[0], String.join(" ", cases[i]));
            assertTrue(r[2].contains(names[i]), String.join(" ", cases[i]) + " → " + r[2]);
        }
        String[] tooLong = run("bench", "train-step", "--device", "cpu", "--config", "tiny", "--seconds", "1",
                "--target-length", "26");
        assertNotEquals("0", tooLong[0]);
        assertTrue(tooLong[2].contains("exceeds the 25 encoder frames"), tooLong[2]);
        assertFalse(tooLong[1].contains("step 1/"), "nothing runs after a usage error");
    }
}
