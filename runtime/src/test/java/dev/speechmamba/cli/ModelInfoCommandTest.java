package dev.speechmamba.cli;

import dev.speechmamba.model.ModelConfig;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelInfoCommandTest {

    private static String[] run(String... args) {
        return CliRun.of(args).asArray();
    }

    /** The paper config has 67.6 M parameters (± 1%) and the layer table shows the paper's layers. */
    @Test
    void paperModelHas67Point6MillionParameters() {
        String[] r = run("model-info", "--config", "paper");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        Matcher m = Pattern.compile("([\\d,]+) parameters = ([\\d.]+) M").matcher(out);
        assertTrue(m.find(), out);
        long total = Long.parseLong(m.group(1).replace(",", ""));
        assertEquals(67.6e6, total, 0.01 * 67.6e6, out);
        assertTrue(out.contains("67.6 M"), out);
        for (String row : new String[] {
                "front_end.conv1.weight .*64×1×5×5 .*1,600",
                "front_end.conv2.weight .*64×64×5×5 .*102,400",
                "front_end.conv3.weight .*64×64×1×1 .*4,096",
                "front_end.out.weight .*512×1280 ",
                "encoder.layers.0.mamba1.mixer.in_proj.weight .*2048×512 ",
                "encoder.layers.0.mamba1.mixer.conv1d.weight .*1024×4 ",
                "encoder.layers.0.mamba1.mixer.x_proj.weight .*544×1024 ",
                "encoder.layers.0.mamba1.mixer.dt_proj.weight .*1024×32 ",
                "encoder.layers.0.mamba1.mixer.A_log .*1024×256 ",
                "encoder.layers.0.self_attn.norm.weight .*512 ",
                "encoder.layers.0.self_attn.q_proj.bias .*512 ",
                "encoder.layers.0.mamba2.mixer.out_proj.weight .*512×1024 ",
                "encoder.layers.1..6 .*6 × layer 0",
                "encoder.norm.bias ",
                "ctc_head.weight .*5000×512 ",
                "decoder.embedding.weight .*5000×512 ",
                "decoder.layers.0.cross_attn.k_proj.weight .*512×512 ",
                "decoder.layers.1..2 .*2 × layer 0",
                "decoder_head.weight .*5000×512 "}) {
            assertTrue(Pattern.compile("(?m)^" + row).matcher(out).find(), "row /" + row + "/ in\n" + out);
        }
        assertTrue(!out.contains("feed") && !out.contains("ffn"), "Speech-Mamba has no feed-forward blocks");
    }

    @Test
    void transformerTableAndErrors() {
        String[] r = run("model-info", "--config", "transformer-tiny", "--all-layers", "--vocab", "30");
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("decoder.layers.1.ffn.w_1.weight"), r[1]);
        assertTrue(r[1].contains("ctc_head.weight") && r[1].contains("30×64"), r[1]);
        String[] bad = run("model-info", "--config", "nonexistent");
        assertEquals("1", bad[0]);
        assertTrue(bad[2].contains("no model config named 'nonexistent'"), bad[2]);
    }

    /** Both commands that take a config name list every shipped one, from the one list in ModelConfig. */
    @Test
    void helpListsEveryNamedConfig() {
        for (String command : new String[] {"model-info", "train"}) {
            String[] r = run(command, "--help");
            assertEquals("0", r[0], r[2]);
            String help = r[1].replaceAll("\\s+", " ");
            assertTrue(help.contains("(" + String.join(", ", ModelConfig.NAMED) + ")"), command + ":\n" + r[1]);
        }
    }
}
