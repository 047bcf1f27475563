package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.cli.Main;
import dev.speechmamba.model.AsrBatch;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.ModelConfig;
import dev.speechmamba.model.TensorArena;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The long-context path on CUDA: windowed inference encoder against the CPU, and a CI-sized CUDA scaling run. */
@Tag("gpu")
class ScalingBenchGpuTest {

    private static float[] encode(String device, ModelConfig cfg, AsrBatch batch, int window) {
        try (Backend be = Backends.create(device); AsrModel model = new AsrModel(be, cfg, 21);
             TensorArena arena = new TensorArena(be)) {
            model.setEncoderAttentionWindow(window);
            return be.toHost(model.encodeForInference(arena, batch).out());
        }
    }

    /** Two minutes of features (3000 encoder frames) through the small model with a ±64 window: CUDA ≈ CPU. */
    @Test
    void windowedInferenceEncoderMatchesCpu() {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        ModelConfig cfg = ModelConfig.named("small");
        AsrBatch batch = ScalingBench.syntheticBatch(cfg.featureDim(), 12_000, 5);
        float[] cpu = encode("cpu", cfg, batch, 64), cuda = encode("cuda", cfg, batch, 64);
        double worst = 0;
        for (int i = 0; i < cpu.length; i++) worst = Math.max(worst, Math.abs(cpu[i] - cuda[i]));
        assertTrue(worst < 2e-3, "max |cuda - cpu| = " + worst);
    }

    @Test
    void cudaRunReportsAllocatorPeak(@TempDir Path dir) throws Exception {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"bench", "scaling", "--device", "cuda", "--config", "tiny", "--minutes", "0.1,0.5",
                "--repeats", "1", "--out", dir.toString()}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, out + "\n" + err);
        List<String> lines = Files.readAllLines(dir.resolve("scaling.csv"));
        List<String> header = List.of(lines.getFirst().split(","));
        assertEquals(1 + 3 * 2, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals("ok", cells[header.indexOf("status")], line);
            assertTrue(Double.parseDouble(cells[header.indexOf("peak_mb")]) >= Double.parseDouble(cells[header.indexOf("weights_mb")]),
                    "the allocator peak includes the weights: " + line);
        }
    }
}
