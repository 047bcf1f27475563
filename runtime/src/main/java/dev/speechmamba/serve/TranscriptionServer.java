package dev.speechmamba.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.audio.AudioFormatException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An HTTP server with OpenAI's transcription endpoint over a {@link TranscriptionEngine}:
 * <ul>
 *   <li>{@code POST /v1/audio/transcriptions}: multipart/form-data with {@code file} (WAV or FLAC, any rate,
 *       resampled to 16 kHz), {@code model} (optional, any value: this server has one model),
 *       {@code response_format} (json, text, srt, vtt, verbose_json), {@code timestamp_granularities[]}
 *       (word, segment; verbose_json only). {@code language}, {@code prompt} and {@code temperature} are accepted
 *       and ignored: the model is English-only and decodes deterministically.</li>
 *   <li>{@code GET /health}: JSON status (503 while shutting down); {@code GET /metrics}: Prometheus text.</li>
 * </ul>
 * Requests run on virtual threads; the engine runs on one batcher thread ({@link Batcher}). Errors are JSON
 * {@code {"error": {"message", "type", "param", "code"}}}: 400 bad form or corrupt audio, 404, 405, 413 upload too
 * large, 415 not multipart or not WAV/FLAC, 500 engine failure (that batch only), 503 queue full (with
 * Retry-After) or shutting down, 504 timed out. {@link #close()} is graceful: it stops accepting, lets in-flight
 * requests finish (up to the configured grace), then stops the batcher.
 */
public final class TranscriptionServer implements AutoCloseable {

    static final String TRANSCRIPTIONS = "/v1/audio/transcriptions";
    private static final List<String> KNOWN_PATHS = List.of(TRANSCRIPTIONS, "/health", "/metrics");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TranscriptionEngine engine;
    private final ServerConfig config;
    private final ServerMetrics metrics;
    private final Batcher batcher;
    private final HttpServer http;
    private final ExecutorService requestThreads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean draining;

    private TranscriptionServer(TranscriptionEngine engine, ServerConfig config) throws IOException {
        this.engine = engine;
        this.config = config;
        this.metrics = new ServerMetrics(this::queueDepth, engine::deviceMemory, engine.device());
        this.batcher = new Batcher(engine, config, metrics);
        this.http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 256);
        http.createContext("/", this::handle);
        http.setExecutor(requestThreads);
    }

    /** Binds the port and starts serving. */
    public static TranscriptionServer start(TranscriptionEngine engine, ServerConfig config) throws IOException {
        TranscriptionServer server = new TranscriptionServer(engine, config);
        server.batcher.start();
        server.http.start();
        return server;
    }

    /** The bound port (the chosen one when the configuration asked for port 0). */
    public int port() { return http.getAddress().getPort(); }

    public ServerConfig config() { return config; }

    /** HTTP requests being handled now. */
    public long inFlightRequests() { return metrics.inFlight(); }

    private int queueDepth() { return batcher == null ? 0 : batcher.queueDepth(); }

    // ---------------------------------------------------------------------------------------------- dispatch

    private void handle(HttpExchange exchange) {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getPath();
        String metricPath = KNOWN_PATHS.contains(path) ? path : "other";
        metrics.requestStarted();
        int status = 500;
        try {
            status = switch (path) {
                case TRANSCRIPTIONS -> allow(exchange, "POST") ? transcribe(exchange) : 405;
                case "/health" -> allow(exchange, "GET") ? health(exchange) : 405;
                case "/metrics" -> allow(exchange, "GET") ? send(exchange, 200, ServerMetrics.CONTENT_TYPE, metrics.render()) : 405;
                default -> error(exchange, new ApiException(404, "invalid_request_error", "not_found", null,
                        "no route " + exchange.getRequestMethod() + " " + path + "; the API is POST " + TRANSCRIPTIONS));
            };
        } catch (ApiException e) {
            status = error(exchange, e);
        } catch (IOException | RuntimeException e) {
            // The client went away mid-response, or a bug: answer if the headers are not out yet, then move on.
            status = exchange.getResponseCode() > 0 ? exchange.getResponseCode() : 500;
            if (exchange.getResponseCode() < 0) {
                error(exchange, new ApiException(500, "server_error", "internal_error", null, "internal error: " + e));
            }
        } finally {
            exchange.close();
            metrics.requestFinished(metricPath, status, (System.nanoTime() - start) / 1e9, path.equals(TRANSCRIPTIONS));
        }
    }

    private boolean allow(HttpExchange exchange, String method) throws ApiException {
        if (exchange.getRequestMethod().equals(method)) return true;
        exchange.getResponseHeaders().set("Allow", method);
        throw new ApiException(405, "invalid_request_error", "method_not_allowed", null,
                exchange.getRequestMethod() + " is not allowed on " + exchange.getRequestURI().getPath() + "; use " + method);
    }

    private int health(HttpExchange exchange) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("status", draining ? "shutting_down" : "ok");
        body.put("model", engine.modelName());
        body.put("device", engine.device());
        body.put("language_model", engine.languageModel().orElse(null));
        body.put("lexicon", engine.lexicon().orElse(null));
        body.put("queue_depth", batcher.queueDepth());
        body.put("max_batch", config.maxBatch());
        return send(exchange, draining ? 503 : 200, "application/json", body.toString());
    }

    // -------------------------------------------------------------------------------------- transcriptions

    private int transcribe(HttpExchange exchange) throws ApiException, IOException {
        if (draining) throw shuttingDown();
        String boundary = Multipart.boundary(exchange.getRequestHeaders().getFirst("Content-Type"));
        byte[] body = readBody(exchange);
        List<Multipart.Part> parts = Multipart.parse(body, boundary);

        Multipart.Part file = null;
        ResponseFormat format = ResponseFormat.JSON;
        Set<String> granularities = new LinkedHashSet<>();
        for (Multipart.Part part : parts) {
            switch (part.name()) {
                case "file" -> {
                    if (file != null) throw ApiException.invalid("invalid_value", "file", "more than one 'file' field; send one audio file per request");
                    file = part;
                }
                case "response_format" -> format = ResponseFormat.parse(part.text());
                case "timestamp_granularities[]", "timestamp_granularities" -> {
                    for (String g : part.text().split(",")) {
                        String value = g.strip().toLowerCase(Locale.ROOT);
                        if (!value.equals("word") && !value.equals("segment")) {
                            throw ApiException.invalid("invalid_value", "timestamp_granularities",
                                    "timestamp_granularities[] must be word or segment, got '" + g.strip() + "'");
                        }
                        granularities.add(value);
                    }
                }
                default -> { } // model, language, prompt, temperature, unknown fields: accepted and ignored
            }
        }
        if (file == null) throw ApiException.invalid("missing_required_parameter", "file", "the form has no 'file' field (the audio to transcribe)");
        if (!granularities.isEmpty() && format != ResponseFormat.VERBOSE_JSON) {
            throw ApiException.invalid("invalid_value", "timestamp_granularities",
                    "timestamp_granularities[] needs response_format=verbose_json, got " + format.wireName);
        }
        if (granularities.isEmpty()) granularities.add("segment");

        Audio audio = decode(file);
        Batcher.Job job = new Batcher.Job(audio.samples());
        if (!batcher.offer(job)) {
            if (draining) throw shuttingDown();
            exchange.getResponseHeaders().set("Retry-After", Long.toString(batcher.retryAfterSeconds()));
            throw new ApiException(503, "server_error", "queue_full", null,
                    "the server is busy (" + config.queueCapacity() + " requests queued); retry later");
        }
        TranscriptionEngine.Result result;
        try {
            result = job.result.get(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            job.abandon();
            throw new ApiException(504, "server_error", "timeout", null,
                    "the transcription did not finish within " + config.requestTimeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            job.abandon();
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server_error", "shutting_down", null, "the request was interrupted");
        } catch (ExecutionException e) {
            throw engineFailure(e.getCause());
        }
        double seconds = audio.duration();
        metrics.audioTranscribed(seconds);
        return send(exchange, 200, format.contentType, format.render(result, seconds, engine.language(), granularities));
    }

    private static ApiException shuttingDown() {
        return new ApiException(503, "server_error", "shutting_down", null, "the server is shutting down");
    }

    private static ApiException engineFailure(Throwable cause) {
        if (cause instanceof IllegalStateException && "the server is shutting down".equals(cause.getMessage())) return shuttingDown();
        if (isOutOfMemory(cause)) {
            return new ApiException(500, "server_error", "out_of_memory", null,
                    "the engine ran out of memory on this request's batch (" + cause + "); retry, or run the server with a smaller --max-batch");
        }
        return new ApiException(500, "server_error", "engine_error", null, "transcription failed: " + cause);
    }

    /** Java heap exhaustion, or a CUDA error that names out-of-memory anywhere in the cause chain. */
    static boolean isOutOfMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) return true;
            String message = t.getMessage();
            if (message != null) {
                String m = message.toLowerCase(Locale.ROOT);
                if (m.contains("out_of_memory") || m.contains("out of memory")) return true;
            }
        }
        return false;
    }

    /** The request body, at most {@code maxUploadBytes}; 413 otherwise. */
    private byte[] readBody(HttpExchange exchange) throws ApiException, IOException {
        long limit = Math.min(config.maxUploadBytes(), Integer.MAX_VALUE - 16);
        InputStream in = exchange.getRequestBody();
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        long length = -1;
        if (declared != null) {
            try {
                length = Long.parseLong(declared.strip());
            } catch (NumberFormatException e) {
                throw ApiException.invalid("invalid_request", null, "Content-Length is not a number: '" + declared + "'");
            }
        }
        byte[] body = length > limit ? null : in.readNBytes((int) limit + 1);
        if (body == null || body.length > limit) {
            // Read (and drop) up to one more limit's worth, so a client still writing its upload reads the 413
            // instead of a reset connection; anything beyond that is cut off by closing the connection.
            discard(in, limit);
            exchange.getResponseHeaders().set("Connection", "close");
            throw new ApiException(413, "invalid_request_error", "file_too_large", "file",
                    "the upload is larger than the limit of " + limit + " bytes"
                            + (length > 0 ? " (Content-Length " + length + ")" : ""));
        }
        return body;
    }

    private static void discard(InputStream in, long bytes) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long left = bytes;
        while (left > 0) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, left));
            if (n < 0) return;
            left -= n;
        }
    }

    /** Decodes the uploaded file: 415 for a format other than WAV/FLAC, 400 for a corrupt or empty one. */
    private static Audio decode(Multipart.Part file) throws ApiException, IOException {
        byte[] data = file.body();
        String name = file.filename() != null && !file.filename().isBlank() ? file.filename() : "the uploaded file";
        if (data.length == 0) throw ApiException.invalid("invalid_audio", "file", name + " is empty");
        String magic = new String(data, 0, Math.min(4, data.length), StandardCharsets.ISO_8859_1);
        boolean wav = magic.equals("RIFF") || magic.equals("RIFX") || magic.equals("RF64");
        boolean flac = magic.equals("fLaC") || magic.startsWith("ID3");
        if (!wav && !flac) {
            throw new ApiException(415, "invalid_request_error", "unsupported_audio_format", "file",
                    name + " is not WAV or FLAC (the formats this server decodes); convert it, e.g. ffmpeg -i in -ar 16000 out.wav");
        }
        Path temp = Files.createTempFile("speech-mamba-upload-", wav ? ".wav" : ".flac");
        try {
            Files.write(temp, data);
            Audio audio = AudioFiles.read16kMono(temp);
            if (audio.samples().length == 0) throw ApiException.invalid("invalid_audio", "file", name + " has no audio samples");
            return audio;
        } catch (AudioFormatException e) {
            // The decoder names the temporary file; the client knows its file by the name it sent.
            String problem = e.getMessage().startsWith(temp + ": ") ? e.getMessage().substring(temp.toString().length() + 2) : e.getMessage();
            throw ApiException.invalid("invalid_audio", "file", name + " cannot be decoded: " + problem);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    // ------------------------------------------------------------------------------------------- responses

    private static int error(HttpExchange exchange, ApiException e) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        if (e.param == null) error.putNull("param"); else error.put("param", e.param);
        error.put("code", e.code);
        try {
            send(exchange, e.status, "application/json", root.toString());
        } catch (IOException ignored) {
            // the client is gone; the status still counts in the metrics
        }
        return e.status;
    }

    private static int send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return status;
    }

    // -------------------------------------------------------------------------------------------- shutdown

    /**
     * Graceful shutdown: refuses new requests, closes the listening socket, waits up to the configured grace for
     * in-flight requests to finish, then stops the batcher. The engine is not closed (the caller owns it).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) return;
        draining = true;
        long graceMillis = config.shutdownGrace().toMillis();
        long deadline = System.currentTimeMillis() + graceMillis;
        // HttpServer.stop closes the listener at once, then returns when every exchange has finished or the delay ran out.
        http.stop((int) Math.max(0, Math.ceil(graceMillis / 1000.0)));
        while (metrics.inFlight() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        batcher.close(Math.max(0, deadline - System.currentTimeMillis()));
        requestThreads.shutdown();
        try {
            if (!requestThreads.awaitTermination(1, TimeUnit.SECONDS)) requestThreads.shutdownNow();
        } catch (InterruptedException e) {
            requestThreads.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
