package dev.speechmamba.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The launcher and CI scripts parse, are executable, and CI runs exactly the README's test command. */
class ScriptsTest {

    private static Path root;

    @BeforeAll
    static void findRepositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("speech-mamba"))) dir = dir.getParent();
        assumeTrue(dir != null, "not run inside the source tree");
        root = dir;
    }

    private static final List<String> SCRIPTS =
            List.of("speech-mamba", "ci/setup-and-demo.sh", "ci/test.sh", ".ci/run", "examples/recipe-default-model.sh",
                    "examples/eval-default-model.sh", "ci/gpu/pack-tts.sh", "ci/gpu/prepare.sh");

    @Test
    void scriptsAreExecutableAndParse() throws Exception {
        for (String script : SCRIPTS) {
            Path file = root.resolve(script);
            assertTrue(Files.isExecutable(file), script + " must be executable");
            Process p = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), script + ": bash -n timed out");
            assertEquals(0, p.exitValue(), script + ": " + out);
            assertTrue(Files.readString(file).contains("set -euo pipefail"), script + " must use set -euo pipefail");
        }
    }

    /** The recipe refuses bad arguments before it synthesizes or trains anything. */
    @Test
    void recipeRejectsBadArgumentsNamingThem() throws Exception {
        for (List<String> args : List.of(List.of("--more-hours", "x"), List.of("--more-steps", "0"), List.of("--hours", "-1"),
                List.of("--export-only", "/no/such/run"), List.of("--lm-order", "9"), List.of("--lm-prune", "-1e-7"), List.of("--lm-prune", "x"), List.of("--cool-steps", "x"), List.of("--lm-exclude", "/no/such.jsonl"),
                List.of("--tune-steps", "0"), List.of("--vtlp", "0.5"), List.of("--tune-steps", "5"),
                List.of("--vtlp", "0.1"), List.of("--tune-hours", "2"), List.of("--tune-cool-steps", "5"), List.of("--tune-cool-steps", "x"),
                List.of("--tune-hours", "0", "--tune-steps", "5", "--more-hours", "1"), List.of("--grow-steps", "0"),
                List.of("--grow-config", "small-deep"), List.of("--bogus"))) {
            List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("examples/recipe-default-model.sh").toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), args + ": timed out");
            assertEquals(2, p.exitValue(), args + ": " + out);
            assertTrue(out.contains("recipe-default-model: error:") && out.contains(args.getFirst()), args + ": " + out);
        }
    }

    /** The card's evaluation refuses bad arguments before it synthesizes anything. */
    @Test
    void evaluationRejectsBadArgumentsNamingThem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (List<String> args : List.of(List.of("--sets", "unheard,bogus"), List.of("--device", "tpu"), List.of("--model", "/no/such/model"),
                List.of("--data"), List.of("--bogus"))) {
            List<String> cmd = new java.util.ArrayList<>(List.of("bash", root.resolve("examples/eval-default-model.sh").toString()));
            cmd.addAll(args);
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), args + ": timed out");
            assertEquals(2, p.exitValue(), args + ": " + out);
            assertTrue(out.contains("eval-default-model: error:") && out.contains(args.getFirst().equals("--sets") ? "bogus" : args.getFirst()),
                    args + ": " + out);
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), args + ": nothing is written before the arguments are checked");
            }
        }
    }

    @Test
    void ciRunsExactlyTheReadmeTestCommand() throws IOException {
        // The README's second code block is the test command; .ci/run's last line must be that command.
        String readme = Files.readString(root.resolve("README.md"));
        Matcher blocks = Pattern.compile("(?m)^```\\s*\\n(.*?)\\n```").matcher(readme);
        assertTrue(blocks.find(), "README has no set-up command block");
        String setup = blocks.group(1).strip();
        assertTrue(blocks.find(), "README has no test command block");
        String test = blocks.group(1).strip();
        assertEquals("./ci/setup-and-demo.sh", setup);
        List<String> lines = Files.readAllLines(root.resolve(".ci/run")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertEquals(test, lines.getLast());
        assertTrue(lines.contains("export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64"), lines.toString());
    }
}
