package dev.speechmamba.serve;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Load on loopback, bounded in requests and time; prints throughput, p50/p99 latency and errors. Tagged slow
 * (excluded from the default run); run with
 * {@code mvn -pl runtime -am test -Dtest=ServerLoadTest -Dsurefire.excludedGroups= -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Tag("slow")
class ServerLoadTest {

    @Test
    void tinyModelOnCpuUnderConcurrentClients(@TempDir Path dir) throws Exception {
        TinyModelFolder.write(dir.resolve("model"), 3);
        Path wav = dir.resolve("load.wav");
        WavWriter.writePcm16(wav, new Audio(TinyModelFolder.speechLike(2.0), 16_000));
        FastCpuBackend backend = new FastCpuBackend();
        TranscribeOptions greedy = new TranscribeOptions(TranscribeOptions.Decoder.GREEDY,
                TranscribeOptions.defaults().beam(), TranscribeOptions.defaults().segmentation(), 8);
        try (TranscriberEngine engine = new TranscriberEngine(Transcriber.load(dir.resolve("model"), backend, greedy), backend, "tiny");
             TranscriptionServer server = TranscriptionServer.start(engine, ServerConfig.defaults().withHost("127.0.0.1").withPort(0))) {
            LoadGenerator.run(endpoint(server), Files.readAllBytes(wav), 16, 64, Duration.ofSeconds(30)); // JIT warm-up, not counted
            LoadGenerator.Report report = LoadGenerator.run(endpoint(server), Files.readAllBytes(wav), 16, 400, Duration.ofSeconds(60));
            System.out.println("load, tiny model on CPU, 2 s clips, max batch 8: " + report);
            assertEquals(0, report.errors(), report.toString());
            System.out.println(batchLines(new ServerClient(server.port()).get("/metrics").body()));
        }
    }

    @Test
    void serverOverheadWithAFixedCostEngine(@TempDir Path dir) throws Exception {
        // 20 ms per batch whatever its size: a GPU-like engine, so the numbers show what batching and the HTTP path give.
        FakeEngine engine = new FakeEngine(batch -> Thread.sleep(20));
        byte[] wav = ServerClient.toneWav(16_000, 2.0);
        try (TranscriptionServer server = TranscriptionServer.start(engine, ServerConfig.defaults().withHost("127.0.0.1").withPort(0)
                .withBatching(8, Duration.ofMillis(20)))) {
            LoadGenerator.Report report = LoadGenerator.run(endpoint(server), wav, 64, 3000, Duration.ofSeconds(60));
            System.out.println("load, fixed 20 ms/batch engine, 2 s clips, max batch 8: " + report);
            assertEquals(0, report.errors(), report.toString());
            double mean = engine.batchSizes.stream().mapToInt(Integer::intValue).average().orElse(0);
            System.out.printf("mean batch size %.2f over %d batches%n", mean, engine.batchSizes.size());
            assertTrue(mean > 2, "64 clients should fill batches, mean " + mean);
        }
    }

    private static URI endpoint(TranscriptionServer server) {
        return URI.create("http://127.0.0.1:" + server.port() + TranscriptionServer.TRANSCRIPTIONS);
    }

    private static String batchLines(String metrics) {
        StringBuilder out = new StringBuilder();
        metrics.lines().filter(l -> l.startsWith("speechmamba_batch_size_") || l.startsWith("speechmamba_audio_seconds_total"))
                .forEach(l -> out.append(l).append('\n'));
        return out.toString();
    }
}
