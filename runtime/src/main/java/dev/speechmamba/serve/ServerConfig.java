package dev.speechmamba.serve;

import java.time.Duration;

/**
 * Settings of a {@link TranscriptionServer}.
 *
 * @param host          address to bind ({@code 0.0.0.0} in a container, {@code 127.0.0.1} in tests)
 * @param port          TCP port; 0 picks a free one ({@link TranscriptionServer#port()} tells which)
 * @param maxBatch      most requests the batcher puts into one engine call
 * @param maxWait       longest the batcher holds the first request of a batch while waiting for more
 * @param queueCapacity requests that may wait for the engine; one more gets 503 with Retry-After
 * @param maxUploadBytes largest request body accepted; larger gets 413
 * @param requestTimeout longest a request waits for its transcript (queue + engine); then 504
 * @param shutdownGrace longest a graceful shutdown waits for in-flight requests
 */
public record ServerConfig(String host, int port, int maxBatch, Duration maxWait, int queueCapacity,
                           long maxUploadBytes, Duration requestTimeout, Duration shutdownGrace) {

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("ServerConfig: host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("ServerConfig: port must be in 0..65535, got " + port);
        if (maxBatch < 1) throw new IllegalArgumentException("ServerConfig: max batch must be >= 1, got " + maxBatch);
        if (maxWait.isNegative()) throw new IllegalArgumentException("ServerConfig: max wait must be >= 0, got " + maxWait);
        if (queueCapacity < 1) throw new IllegalArgumentException("ServerConfig: queue capacity must be >= 1, got " + queueCapacity);
        if (maxUploadBytes < 1) throw new IllegalArgumentException("ServerConfig: max upload must be >= 1 byte, got " + maxUploadBytes);
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("ServerConfig: request timeout must be > 0, got " + requestTimeout);
        }
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("ServerConfig: shutdown grace must be >= 0, got " + shutdownGrace);
    }

    /** The CLI's defaults: port 8000 on all interfaces, batches of 8 within 20 ms, 64 queued, 25 MB, 60 s. */
    public static ServerConfig defaults() {
        return new ServerConfig("0.0.0.0", 8000, 8, Duration.ofMillis(20), 64, 25L * 1024 * 1024,
                Duration.ofSeconds(60), Duration.ofSeconds(30));
    }

    public ServerConfig withHost(String h) { return new ServerConfig(h, port, maxBatch, maxWait, queueCapacity, maxUploadBytes, requestTimeout, shutdownGrace); }
    public ServerConfig withPort(int p) { return new ServerConfig(host, p, maxBatch, maxWait, queueCapacity, maxUploadBytes, requestTimeout, shutdownGrace); }
    public ServerConfig withBatching(int batch, Duration wait) { return new ServerConfig(host, port, batch, wait, queueCapacity, maxUploadBytes, requestTimeout, shutdownGrace); }
    public ServerConfig withQueueCapacity(int q) { return new ServerConfig(host, port, maxBatch, maxWait, q, maxUploadBytes, requestTimeout, shutdownGrace); }
    public ServerConfig withMaxUploadBytes(long b) { return new ServerConfig(host, port, maxBatch, maxWait, queueCapacity, b, requestTimeout, shutdownGrace); }
    public ServerConfig withRequestTimeout(Duration t) { return new ServerConfig(host, port, maxBatch, maxWait, queueCapacity, maxUploadBytes, t, shutdownGrace); }
    public ServerConfig withShutdownGrace(Duration g) { return new ServerConfig(host, port, maxBatch, maxWait, queueCapacity, maxUploadBytes, requestTimeout, g); }
}
