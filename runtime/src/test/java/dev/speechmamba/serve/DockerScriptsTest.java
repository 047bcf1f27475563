package dev.speechmamba.serve;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The Docker scripts parse, are executable, fail fast on errors, and refuse bad arguments; the Dockerfile's targets exist. */
class DockerScriptsTest {

    private static final List<String> SCRIPTS =
            List.of("ci/docker-start.sh", "ci/build-base-image.sh", "ci/build-image.sh", "ci/docker-dist.sh");

    private static Path root() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("Dockerfile"))) return p;
        }
        throw new IllegalStateException("no Dockerfile above " + Path.of("").toAbsolutePath());
    }

    private static Process start(Path root, String... command) throws Exception {
        return new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    }

    @Test
    void scriptsAreExecutableAndParse() throws Exception {
        Path root = root();
        for (String script : SCRIPTS) {
            Path file = root.resolve(script);
            assertTrue(Files.isExecutable(file), script + " must be executable");
            assertTrue(Files.readString(file).contains("set -euo pipefail"), script + " must use set -euo pipefail");
            Process p = start(root, "bash", "-n", file.toString());
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), script + ": " + out);
        }
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        Path root = root();
        Process image = start(root, "bash", "ci/build-image.sh", "--frobnicate");
        String out = new String(image.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(image.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, image.exitValue(), out);
        assertTrue(out.contains("unknown argument '--frobnicate'"), out);
        Process dist = start(root, "bash", "ci/docker-dist.sh");
        assertTrue(dist.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, dist.exitValue());
    }

    @Test
    void dockerfileHasTheBuildTargetsTheScriptsUse() throws Exception {
        String dockerfile = Files.readString(root().resolve("Dockerfile"));
        for (String stage : List.of("AS runtime-base", "AS prebuilt", "AS build", "AS runtime")) {
            assertTrue(dockerfile.contains(stage), "Dockerfile lacks stage '" + stage + "'");
        }
        assertTrue(dockerfile.indexOf("AS prebuilt") < dockerfile.indexOf("AS build"),
                "the legacy builder builds every stage before its target: prebuilt must come before the in-Docker build");
        assertTrue(dockerfile.contains("ARG BASE_IMAGE="));
        assertTrue(dockerfile.contains("CMD [\"serve\""));
    }
}
