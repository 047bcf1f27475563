package dev.speechmamba.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.WavWriter;
import com.github.dockerjava.api.model.DeviceRequest;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The server image end to end: builds it with the ci/ scripts (Docker engine started if needed, local Debian base,
 * a tiny model baked in), starts the container through Testcontainers, sends real WAV audio over HTTP, and checks
 * the transcript JSON, the error responses, the metrics and a graceful stop. Skips, saying why, where no Docker
 * engine can run (or Testcontainers is not configured for this machine: TESTCONTAINERS_RYUK_DISABLED=true and
 * TESTCONTAINERS_HOST_OVERRIDE=localhost, since the Ryuk image cannot be pulled here).
 */
@Tag("docker")
class ServerImageTest {

    private static final String IMAGE = "speech-mamba:test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path root;
    private static Path work;
    private static GenericContainer<?> server;
    private static ServerClient client;

    @BeforeAll
    static void buildImageAndStartServer() throws Exception {
        root = repositoryRoot();
        skipUnless("true".equals(System.getenv("TESTCONTAINERS_RYUK_DISABLED")) && System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null,
                "TESTCONTAINERS_RYUK_DISABLED=true and TESTCONTAINERS_HOST_OVERRIDE=localhost are not set (the Ryuk image cannot be pulled here)");
        skipUnless(System.getenv("SPEECH_MAMBA_SKIP_DOCKER") == null, "SPEECH_MAMBA_SKIP_DOCKER is set");
        Script engine = run(root, Duration.ofMinutes(5), root.resolve("ci/docker-start.sh").toString());
        skipUnless(engine.exitCode == 0, "no Docker engine can run here: " + engine.lastLines());

        // Where the Debian mirror cannot be reached there is no base to build on: an environment limit, not a bug.
        Script base = run(root, Duration.ofMinutes(8), root.resolve("ci/build-base-image.sh").toString());
        skipUnless(base.exitCode == 0, "no local base image could be built: " + base.lastLines());

        work = Files.createTempDirectory("speech-mamba-image-test");
        TinyModelFolder.writeWithLanguageModel(work.resolve("model"), 5);
        long start = System.nanoTime();
        Script build = run(root, Duration.ofMinutes(12), root.resolve("ci/build-image.sh").toString(),
                "--model", work.resolve("model").toString(), "--tag", IMAGE);
        assertEquals(0, build.exitCode, "ci/build-image.sh failed:\n" + build.output);
        System.out.printf("ServerImageTest: image built in %.0f s%n", (System.nanoTime() - start) / 1e9);

        server = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(8000)
                .withCommand("serve", "--port", "8000", "--device", "cpu", "--decoder", "greedy", "--max-upload-mb", "1",
                        "--max-batch", "4", "--shutdown-grace-s", "20")
                .waitingFor(Wait.forHttp("/health").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
        server.start();
        client = new ServerClient(URI.create("http://" + server.getHost() + ":" + server.getMappedPort(8000)));
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null && server.isRunning()) server.stop();
        if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void transcribesRealAudioAsTheModelDoesInProcess() throws Exception {
        Path wav = work.resolve("speech.wav");
        WavWriter.writePcm16(wav, new Audio(TinyModelFolder.speechLike(2.5), 16_000));
        HttpResponse<String> response = client.post(ServerClient.wavForm(Files.readAllBytes(wav))
                .field("response_format", "verbose_json").field("timestamp_granularities[]", "word")
                .field("timestamp_granularities[]", "segment"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("transcribe", body.get("task").asText());
        assertEquals(2.5, body.get("duration").asDouble(), 1e-9);
        assertTrue(body.get("text").isTextual() && body.get("segments").isArray() && body.get("words").isArray(), body.toString());
        double previousEnd = 0;
        for (JsonNode word : body.get("words")) {
            assertTrue(word.get("word").isTextual());
            double confidence = word.get("confidence").asDouble(-1);
            assertTrue(confidence >= 0 && confidence <= 1, word.toString());
            assertTrue(word.get("start").asDouble() >= previousEnd - 1e-9 && word.get("end").asDouble() <= 2.5 + 1e-9, word.toString());
            previousEnd = word.get("end").asDouble();
        }
        try (FastCpuBackend backend = new FastCpuBackend();
             Transcriber local = Transcriber.load(work.resolve("model"), backend,
                     TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.GREEDY))) {
            assertEquals(local.transcribe(AudioFiles.read16kMono(wav).samples()).text(), body.get("text").asText(),
                    "the container must transcribe exactly as the same model does in this JVM");
        }
        HttpResponse<String> plain = client.post(ServerClient.wavForm(Files.readAllBytes(wav)));
        assertEquals(body.get("text").asText(), JSON.readTree(plain.body()).get("text").asText());
    }

    @Test
    void errorResponsesAreOpenAiShaped() throws Exception {
        byte[] ogg = "OggS\0\2not really ogg".getBytes(StandardCharsets.ISO_8859_1);
        assertError(client.post(new MultipartBody().file("file", "a.ogg", "audio/ogg", ogg)), 415, "unsupported_audio_format");
        byte[] cut = Arrays.copyOf(ServerClient.toneWav(16000, 0.5), 30);
        assertError(client.post(new MultipartBody().file("file", "cut.wav", "audio/wav", cut)), 400, "invalid_audio");
        assertError(client.post(ServerClient.wavForm(ServerClient.toneWav(16000, 40.0))), 413, "file_too_large"); // 1.28 MB > 1 MiB
        assertError(client.post(ServerClient.wavForm(ServerClient.toneWav(16000, 0.5)).field("response_format", "pdf")), 400, "invalid_value");
        assertError(client.get("/nope"), 404, "not_found");
        String metrics = client.get("/metrics").body();
        PrometheusText.check(metrics);
        assertTrue(PrometheusText.value(metrics, "speechmamba_http_requests_total{path=\"/v1/audio/transcriptions\",status=\"415\"}") >= 1);
    }

    @Test
    void defaultCommandServesTheBakedInModelAndDockerStopShutsDownCleanly() throws Exception {
        // Its own container, so the other tests keep theirs; no command: the image's default (beam search, auto device).
        try (GenericContainer<?> second = new GenericContainer<>(DockerImageName.parse(IMAGE))
                .withExposedPorts(8000)
                .waitingFor(Wait.forHttp("/health").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)))) {
            second.start();
            ServerClient other = new ServerClient(URI.create("http://" + second.getHost() + ":" + second.getMappedPort(8000)));
            assertEquals(200, other.post(ServerClient.wavForm(ServerClient.toneWav(16000, 1.0))).statusCode());
            String lm = JSON.readTree(other.get("/health").body()).path("language_model").asText("");
            assertTrue(lm.startsWith("3-gram LM"), "the image serves the baked-in model folder with its own LM: " + lm);
            var docker = second.getDockerClient();
            docker.stopContainerCmd(second.getContainerId()).withTimeout(30).exec();
            Long exit = docker.inspectContainerCmd(second.getContainerId()).exec().getState().getExitCodeLong();
            String logs = second.getLogs();
            // 143 = 128 + SIGTERM: the JVM's status after its shutdown hooks ran to completion on SIGTERM.
            assertTrue(exit == 0L || exit == 143L, "the server must stop cleanly on SIGTERM, exit " + exit + "; logs:\n" + logs);
            assertTrue(logs.contains("speech-mamba: stopped"), logs);
        }
    }

    /**
     * With a GPU and the NVIDIA container runtime: the same image on a CUDA runtime base serves on the GPU, reports
     * device memory, and runs the kernel benchmark inside the container. The CUDA base must already be local
     * (SPEECH_MAMBA_CUDA_BASE_IMAGE, default nvidia/cuda:13.0.1-runtime-ubuntu24.04): nothing is pulled here.
     */
    @Test
    @Tag("gpu")
    void servesOnTheGpuWithTheNvidiaContainerRuntime() throws Exception {
        skipUnless(Backends.cudaUsable(), "no usable GPU on this machine");
        Script runtimes = run(root, Duration.ofMinutes(1), "docker", "info", "--format", "{{json .Runtimes}}");
        skipUnless(runtimes.output.contains("nvidia"), "the Docker engine has no NVIDIA container runtime");
        String cudaBase = System.getenv().getOrDefault("SPEECH_MAMBA_CUDA_BASE_IMAGE", "nvidia/cuda:13.0.1-runtime-ubuntu24.04");
        skipUnless(run(root, Duration.ofMinutes(1), "docker", "image", "inspect", cudaBase).exitCode == 0,
                "the CUDA base image " + cudaBase + " is not present locally");
        String gpuImage = IMAGE + "-gpu";
        Script build = run(root, Duration.ofMinutes(10), root.resolve("ci/build-image.sh").toString(), "--no-maven",
                "--base", cudaBase, "--model", work.resolve("model").toString(), "--tag", gpuImage);
        assertEquals(0, build.exitCode, "ci/build-image.sh failed:\n" + build.output);
        DeviceRequest allGpus = new DeviceRequest().withCount(-1).withCapabilities(List.of(List.of("gpu")));
        try (GenericContainer<?> gpu = new GenericContainer<>(DockerImageName.parse(gpuImage))
                .withExposedPorts(8000)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withDeviceRequests(List.of(allGpus)))
                .withCommand("serve", "--port", "8000", "--device", "cuda", "--decoder", "greedy")
                .waitingFor(Wait.forHttp("/health").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)))) {
            gpu.start();
            ServerClient onGpu = new ServerClient(URI.create("http://" + gpu.getHost() + ":" + gpu.getMappedPort(8000)));
            assertEquals("cuda", JSON.readTree(onGpu.get("/health").body()).get("device").asText());
            assertEquals(200, onGpu.post(ServerClient.wavForm(ServerClient.toneWav(16000, 2.0))).statusCode());
            String metrics = onGpu.get("/metrics").body();
            assertTrue(PrometheusText.value(metrics, "speechmamba_device_memory_total_bytes{device=\"cuda\"}") > 0, metrics);
            var bench = gpu.execInContainer("/opt/speech-mamba/java/bin/java", "--add-modules=jdk.incubator.vector",
                    "--enable-native-access=ALL-UNNAMED", "-cp", "/opt/speech-mamba/lib/*", "dev.speechmamba.cli.Main",
                    "bench", "kernels", "--backends", "cuda", "--forks", "0", "--warmup", "1", "--iterations", "2", "--seconds", "1");
            System.out.println("kernel benchmark inside the GPU container:\n" + bench.getStdout());
            assertEquals(0, bench.getExitCode(), bench.getStderr());
        }
    }

    private static void assertError(HttpResponse<String> response, int status, String code) throws IOException {
        assertEquals(status, response.statusCode(), response.body());
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertEquals(code, error.get("code").asText(), response.body());
        assertFalse(error.get("message").asText().isBlank());
    }

    private static void skipUnless(boolean condition, String reason) {
        if (!condition) System.out.println("ServerImageTest skipped: " + reason);
        Assumptions.assumeTrue(condition, reason);
    }

    private static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("ci/build-image.sh")) && Files.isRegularFile(p.resolve("Dockerfile"))) return p;
        }
        throw new IllegalStateException("no repository root (with ci/build-image.sh) above " + dir);
    }

    private record Script(int exitCode, String output) {
        String lastLines() {
            List<String> lines = output.lines().toList();
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        }
    }

    private static Script run(Path root, Duration limit, String... command) throws Exception {
        Path log = Files.createTempFile("speech-mamba-script", ".log");
        try {
            Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(root.toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                return new Script(-1, Files.readString(log) + "\n(timed out after " + limit.toSeconds() + " s)");
            }
            return new Script(process.exitValue(), Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
