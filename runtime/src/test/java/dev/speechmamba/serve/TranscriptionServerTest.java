package dev.speechmamba.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The server in-process on loopback with fake engines: formats, batching and every error path. */
class TranscriptionServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ServerConfig LOOPBACK = ServerConfig.defaults().withHost("127.0.0.1").withPort(0)
            .withShutdownGrace(Duration.ofSeconds(5));

    /** Each client request on its own thread, whatever the machine's core count (the common pool may have one). */
    private static final java.util.concurrent.ExecutorService CLIENTS = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();

    private final List<TranscriptionServer> servers = new ArrayList<>();

    @AfterEach
    void stopServers() {
        for (TranscriptionServer s : servers) s.close();
    }

    private ServerClient serve(TranscriptionEngine engine, ServerConfig config) throws Exception {
        TranscriptionServer server = TranscriptionServer.start(engine, config);
        servers.add(server);
        return new ServerClient(server.port());
    }

    private static JsonNode error(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode error = JSON.readTree(response.body()).get("error");
        assertNotNull(error, response.body());
        assertEquals(code, error.get("code").asText(), response.body());
        assertFalse(error.get("message").asText().isBlank());
        assertTrue(error.has("type") && error.has("param"));
        return error;
    }

    @Test
    void jsonResponseCarriesTheTranscriptOfTheUploadedAudioResampledTo16k() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        HttpResponse<String> response = client.post(ServerClient.wavForm(ServerClient.toneWav(8000, 0.5)));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals("samples 8000", body.get("text").asText()); // 0.5 s at 8 kHz became 8000 samples at 16 kHz
        assertEquals("duration", body.get("usage").get("type").asText());
    }

    @Test
    void textSrtAndVttFormats() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 2.0);
        HttpResponse<String> text = client.post(ServerClient.wavForm(wav).field("response_format", "text"));
        assertEquals("samples 32000\n", text.body());
        assertTrue(text.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));

        HttpResponse<String> srt = client.post(ServerClient.wavForm(wav).field("response_format", "srt"));
        assertEquals("1\n00:00:00,000 --> 00:00:01,000\nsamples\n\n2\n00:00:01,000 --> 00:00:02,000\n32000\n\n", srt.body());

        HttpResponse<String> vtt = client.post(ServerClient.wavForm(wav).field("response_format", "vtt"));
        assertEquals("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nsamples\n\n00:00:01.000 --> 00:00:02.000\n32000\n\n", vtt.body());
        assertTrue(vtt.headers().firstValue("Content-Type").orElseThrow().startsWith("text/vtt"));
    }

    @Test
    void verboseJsonHasSegmentsByDefaultAndWordsWhenAsked() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 1.0);
        JsonNode plain = JSON.readTree(client.post(ServerClient.wavForm(wav).field("response_format", "verbose_json")
                .field("language", "en").field("temperature", "0.2").field("prompt", "ignored")).body());
        assertEquals("transcribe", plain.get("task").asText());
        assertEquals(1.0, plain.get("duration").asDouble(), 1e-9);
        assertEquals(2, plain.get("segments").size());
        assertEquals(0.5, plain.get("segments").get(1).get("start").asDouble(), 1e-9);
        assertFalse(plain.has("words"));

        JsonNode both = JSON.readTree(client.post(ServerClient.wavForm(wav).field("response_format", "verbose_json")
                .field("timestamp_granularities[]", "word").field("timestamp_granularities[]", "segment")).body());
        assertEquals("16000", both.get("words").get(1).get("word").asText());
        assertEquals(1.0, both.get("words").get(1).get("end").asDouble(), 1e-9);
        assertEquals(2, both.get("segments").size());

        JsonNode wordsOnly = JSON.readTree(client.post(ServerClient.wavForm(wav).field("response_format", "verbose_json")
                .field("timestamp_granularities[]", "word")).body());
        assertTrue(wordsOnly.has("words"));
        assertFalse(wordsOnly.has("segments"));
    }

    @Test
    void concurrentRequestsAreBatchedUpToMaxBatch() throws Exception {
        FakeEngine engine = new FakeEngine(batch -> Thread.sleep(50));
        ServerClient client = serve(engine, LOOPBACK.withBatching(4, Duration.ofMillis(300)));
        byte[] wav = ServerClient.toneWav(16000, 0.25);
        List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            pending.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return client.post(ServerClient.wavForm(wav));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, CLIENTS));
        }
        for (CompletableFuture<HttpResponse<String>> p : pending) assertEquals(200, p.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(8, engine.batchSizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(engine.batchSizes.stream().allMatch(s -> s <= 4), engine.batchSizes.toString());
        assertTrue(engine.batchSizes.stream().anyMatch(s -> s > 1), "no batching happened: " + engine.batchSizes);
    }

    @Test
    void fullQueueAnswers503WithRetryAfter() throws Exception {
        CountDownLatch engineEntered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FakeEngine engine = new FakeEngine(batch -> {
            engineEntered.countDown();
            release.await();
        });
        ServerClient client = serve(engine, LOOPBACK.withBatching(1, Duration.ZERO).withQueueCapacity(1));
        byte[] wav = ServerClient.toneWav(16000, 0.1);
        CompletableFuture<HttpResponse<String>> running = CompletableFuture.supplyAsync(() -> postQuietly(client, wav), CLIENTS);
        assertTrue(engineEntered.await(10, TimeUnit.SECONDS));
        CompletableFuture<HttpResponse<String>> queued = CompletableFuture.supplyAsync(() -> postQuietly(client, wav), CLIENTS);
        awaitMetric(client, "speechmamba_queue_depth 1");
        HttpResponse<String> refused = client.post(ServerClient.wavForm(wav));
        error(refused, 503, "queue_full");
        long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
        release.countDown();
        assertEquals(200, running.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void slowEngineAnswers504AndAbandonedQueuedRequestsNeverReachTheEngine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeEngine engine = new FakeEngine(batch -> release.await());
        ServerClient client = serve(engine, LOOPBACK.withBatching(1, Duration.ZERO).withRequestTimeout(Duration.ofMillis(300)));
        byte[] wav = ServerClient.toneWav(16000, 0.1);
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> postQuietly(client, wav), CLIENTS);
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> postQuietly(client, wav), CLIENTS);
        error(first.get(10, TimeUnit.SECONDS), 504, "timeout");
        error(second.get(10, TimeUnit.SECONDS), 504, "timeout");
        release.countDown();
        Thread.sleep(200);
        assertEquals(List.of(1), engine.batchSizes, "the timed-out queued request must be dropped, not run");
    }

    @Test
    void engineFailureFailsOnlyItsBatchAndTheServerKeepsServing() throws Exception {
        List<RuntimeException> failures = new ArrayList<>(List.of(new IllegalStateException("kernel launch failed")));
        FakeEngine engine = new FakeEngine(batch -> {
            if (!failures.isEmpty()) throw failures.removeFirst();
        });
        ServerClient client = serve(engine, LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 0.1);
        JsonNode e = error(client.post(ServerClient.wavForm(wav)), 500, "engine_error");
        assertEquals("server_error", e.get("type").asText());
        assertTrue(e.get("message").asText().contains("kernel launch failed"));
        assertEquals(200, client.post(ServerClient.wavForm(wav)).statusCode());
        assertTrue(client.get("/metrics").body().contains("speechmamba_engine_failures_total 1"));
    }

    @Test
    void outOfMemoryOnTheGpuOrTheHeapIs500AndRecoverable() throws Exception {
        List<Throwable> failures = new ArrayList<>(List.of(
                new RuntimeException("cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory"),
                new OutOfMemoryError("Java heap space")));
        FakeEngine engine = new FakeEngine(batch -> {
            if (failures.isEmpty()) return;
            Throwable t = failures.removeFirst();
            if (t instanceof Error err) throw err;
            throw (RuntimeException) t;
        });
        ServerClient client = serve(engine, LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 0.1);
        error(client.post(ServerClient.wavForm(wav)), 500, "out_of_memory");
        error(client.post(ServerClient.wavForm(wav)), 500, "out_of_memory");
        assertEquals(200, client.post(ServerClient.wavForm(wav)).statusCode());
        assertEquals(200, client.get("/health").statusCode());
    }

    @Test
    void uploadOverTheLimitIs413() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK.withMaxUploadBytes(64 * 1024));
        byte[] wav = ServerClient.toneWav(16000, 3.0); // 96 KB
        JsonNode e = error(client.post(ServerClient.wavForm(wav)), 413, "file_too_large");
        assertTrue(e.get("message").asText().contains("65536"));
        assertEquals(200, client.post(ServerClient.wavForm(ServerClient.toneWav(16000, 1.0))).statusCode());
    }

    @Test
    void wrongRequestTypeOrAudioFormatIs415() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        error(client.post("application/json", "{\"file\": 1}".getBytes(StandardCharsets.UTF_8)), 415, "unsupported_media_type");
        error(client.post(null, new byte[10]), 415, "unsupported_media_type");
        byte[] ogg = "OggS\0\2fake ogg data".getBytes(StandardCharsets.ISO_8859_1);
        JsonNode e = error(client.post(new MultipartBody().file("file", "speech.ogg", "audio/ogg", ogg)), 415, "unsupported_audio_format");
        assertTrue(e.get("message").asText().contains("speech.ogg"));
        assertEquals("file", e.get("param").asText());
    }

    @Test
    void corruptAudioAndBadFormsAre400() throws Exception {
        FakeEngine engine = FakeEngine.instant();
        ServerClient client = serve(engine, LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 0.5);
        byte[] truncated = java.util.Arrays.copyOf(wav, 30); // RIFF header cut inside the fmt chunk
        JsonNode e = error(client.post(new MultipartBody().file("file", "cut.wav", "audio/wav", truncated)), 400, "invalid_audio");
        assertTrue(e.get("message").asText().startsWith("cut.wav cannot be decoded"), e.toString());
        assertFalse(e.get("message").asText().contains("speech-mamba-upload"), "the temporary file name leaked: " + e);
        error(client.post(new MultipartBody().file("file", "empty.wav", "audio/wav", new byte[0])), 400, "invalid_audio");
        error(client.post(new MultipartBody().field("model", "whisper-1")), 400, "missing_required_parameter");
        error(client.post(ServerClient.wavForm(wav).field("response_format", "mp3")), 400, "invalid_value");
        error(client.post(ServerClient.wavForm(wav).field("timestamp_granularities[]", "word")), 400, "invalid_value");
        error(client.post(ServerClient.wavForm(wav).field("response_format", "verbose_json")
                .field("timestamp_granularities[]", "sentence")), 400, "invalid_value");
        byte[] unterminated = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n\r\nRIFF")
                .getBytes(StandardCharsets.ISO_8859_1);
        error(client.post("multipart/form-data; boundary=b", unterminated), 400, "invalid_multipart");
        error(client.post("multipart/form-data", ServerClient.wavForm(wav).build()), 400, "invalid_multipart");
        assertTrue(engine.batchSizes.isEmpty(), "no bad request may reach the engine");
    }

    @Test
    void unknownRoutesAndMethods() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        error(client.get("/v1/models/nope"), 404, "not_found");
        HttpResponse<String> wrongMethod = client.get(TranscriptionServer.TRANSCRIPTIONS);
        error(wrongMethod, 405, "method_not_allowed");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        ServerClient client = serve(FakeEngine.instant(), LOOPBACK);
        byte[] wav = ServerClient.toneWav(16000, 1.5);
        for (int i = 0; i < 3; i++) assertEquals(200, client.post(ServerClient.wavForm(wav)).statusCode());
        error(client.post(ServerClient.wavForm(wav).field("response_format", "doc")), 400, "invalid_value");

        JsonNode health = JSON.readTree(client.get("/health").body());
        assertEquals("ok", health.get("status").asText());
        assertEquals("fake", health.get("model").asText());
        assertTrue(health.get("language_model").isNull(), health.toString());
        assertTrue(health.get("lexicon").isNull(), health.toString());

        HttpResponse<String> response = client.get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        String metrics = response.body();
        PrometheusText.check(metrics);
        assertEquals(3, PrometheusText.value(metrics, "speechmamba_http_requests_total{path=\"/v1/audio/transcriptions\",status=\"200\"}"));
        assertEquals(1, PrometheusText.value(metrics, "speechmamba_http_requests_total{path=\"/v1/audio/transcriptions\",status=\"400\"}"));
        assertEquals(4.5, PrometheusText.value(metrics, "speechmamba_audio_seconds_total"), 1e-9);
        assertEquals(4, PrometheusText.value(metrics, "speechmamba_request_duration_seconds_count"));
        assertEquals(3, PrometheusText.value(metrics, "speechmamba_batch_size_count"));
        assertEquals(3, PrometheusText.value(metrics, "speechmamba_batch_size_bucket{le=\"1\"}"));
        assertEquals(0, PrometheusText.value(metrics, "speechmamba_queue_depth"));
        assertFalse(metrics.contains("speechmamba_device_memory"), "a CPU engine has no device memory to report");
    }

    @Test
    void deviceMemoryIsReportedWhenTheEngineHasIt() throws Exception {
        TranscriptionEngine gpuLike = new FakeEngine(batch -> { }) {
            @Override public String device() { return "cuda"; }
            @Override public java.util.Optional<DeviceMemory> deviceMemory() {
                return java.util.Optional.of(new DeviceMemory(3L << 30, 80L << 30));
            }
        };
        ServerClient client = serve(gpuLike, LOOPBACK);
        String metrics = client.get("/metrics").body();
        PrometheusText.check(metrics);
        assertEquals(3L << 30, PrometheusText.value(metrics, "speechmamba_device_memory_used_bytes{device=\"cuda\"}"));
        assertEquals(80L << 30, PrometheusText.value(metrics, "speechmamba_device_memory_total_bytes{device=\"cuda\"}"));
    }

    @Test
    void gracefulShutdownFinishesInFlightRequestsThenRefusesConnections() throws Exception {
        CountDownLatch engineEntered = new CountDownLatch(1);
        FakeEngine engine = new FakeEngine(batch -> {
            engineEntered.countDown();
            Thread.sleep(500);
        });
        TranscriptionServer server = TranscriptionServer.start(engine, LOOPBACK);
        ServerClient client = new ServerClient(server.port());
        byte[] wav = ServerClient.toneWav(16000, 0.2);
        CompletableFuture<HttpResponse<String>> inFlight = CompletableFuture.supplyAsync(() -> postQuietly(client, wav), CLIENTS);
        assertTrue(engineEntered.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        server.close();
        double closeSeconds = (System.nanoTime() - start) / 1e9;
        HttpResponse<String> finished = inFlight.get(1, TimeUnit.SECONDS); // already answered when close() returned
        assertEquals(200, finished.statusCode(), finished.body());
        assertTrue(closeSeconds < 4, "close took " + closeSeconds + " s");
        ServerClient fresh = new ServerClient(server.port());
        Exception refused = assertThrows(Exception.class, () -> fresh.get("/health"));
        assertTrue(causedByConnectException(refused), "expected a refused connection, got " + refused);
    }

    private static boolean causedByConnectException(Throwable t) {
        for (; t != null; t = t.getCause() == t ? null : t.getCause()) if (t instanceof ConnectException) return true;
        return false;
    }

    private static HttpResponse<String> postQuietly(ServerClient client, byte[] wav) {
        try {
            return client.post(ServerClient.wavForm(wav));
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    private static void awaitMetric(ServerClient client, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (client.get("/metrics").body().lines().anyMatch(line::equals)) return;
            Thread.sleep(10);
        }
        fail("metrics never showed '" + line + "'");
    }
}
