package dev.speechmamba.serve;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The server's counters, rendered in the Prometheus text exposition format (version 0.0.4). Thread-safe: request
 * threads and the batcher update it concurrently, {@code /metrics} reads it.
 */
final class ServerMetrics {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Request latency buckets in seconds: from a cached short clip to the default 60 s timeout. */
    static final double[] LATENCY_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
    static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64};

    private final Map<String, LongAdder> requestsByPathAndStatus = new ConcurrentHashMap<>();
    private final Histogram latency = new Histogram(LATENCY_BUCKETS);
    private final Histogram batchSizes = new Histogram(BATCH_BUCKETS);
    private final Histogram batchSeconds = new Histogram(LATENCY_BUCKETS);
    private final DoubleAdder audioSeconds = new DoubleAdder();
    private final LongAdder engineFailures = new LongAdder();
    private final AtomicLong inFlight = new AtomicLong();
    private final IntSupplier queueDepth;
    private final Supplier<Optional<TranscriptionEngine.DeviceMemory>> deviceMemory;
    private final String device;

    ServerMetrics(IntSupplier queueDepth, Supplier<Optional<TranscriptionEngine.DeviceMemory>> deviceMemory, String device) {
        this.queueDepth = queueDepth;
        this.deviceMemory = deviceMemory;
        this.device = device;
    }

    void requestStarted() { inFlight.incrementAndGet(); }

    long inFlight() { return inFlight.get(); }

    /** One finished HTTP request; latency is recorded for transcription requests only. */
    void requestFinished(String path, int status, double seconds, boolean transcription) {
        inFlight.decrementAndGet();
        requestsByPathAndStatus.computeIfAbsent(path + "\u0000" + status, k -> new LongAdder()).increment();
        if (transcription) latency.observe(seconds);
    }

    void audioTranscribed(double seconds) { audioSeconds.add(seconds); }

    void batchRan(int size, double seconds) {
        batchSizes.observe(size);
        batchSeconds.observe(seconds);
    }

    void engineFailed() { engineFailures.increment(); }

    String render() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP speechmamba_http_requests_total HTTP requests served, by path and status code.\n");
        out.append("# TYPE speechmamba_http_requests_total counter\n");
        new TreeMap<>(requestsByPathAndStatus).forEach((key, count) -> {
            int sep = key.indexOf('\u0000');
            out.append("speechmamba_http_requests_total{path=\"").append(escape(key.substring(0, sep)))
                    .append("\",status=\"").append(key.substring(sep + 1)).append("\"} ").append(count.sum()).append('\n');
        });
        latency.render(out, "speechmamba_request_duration_seconds",
                "Latency of transcription requests (upload read to response written), any status.");
        out.append("# HELP speechmamba_audio_seconds_total Seconds of audio transcribed.\n");
        out.append("# TYPE speechmamba_audio_seconds_total counter\n");
        out.append("speechmamba_audio_seconds_total ").append(number(audioSeconds.sum())).append('\n');
        batchSizes.render(out, "speechmamba_batch_size", "Requests per engine call (dynamic batching).");
        batchSeconds.render(out, "speechmamba_batch_duration_seconds", "Duration of engine calls.");
        out.append("# HELP speechmamba_engine_failures_total Engine calls that failed (each fails its whole batch with 500).\n");
        out.append("# TYPE speechmamba_engine_failures_total counter\n");
        out.append("speechmamba_engine_failures_total ").append(engineFailures.sum()).append('\n');
        out.append("# HELP speechmamba_queue_depth Requests waiting for the engine.\n");
        out.append("# TYPE speechmamba_queue_depth gauge\n");
        out.append("speechmamba_queue_depth ").append(queueDepth.getAsInt()).append('\n');
        out.append("# HELP speechmamba_inflight_requests HTTP requests being handled.\n");
        out.append("# TYPE speechmamba_inflight_requests gauge\n");
        out.append("speechmamba_inflight_requests ").append(inFlight.get()).append('\n');
        Optional<TranscriptionEngine.DeviceMemory> memory;
        try {
            memory = deviceMemory.get();
        } catch (RuntimeException e) {
            memory = Optional.empty(); // a failing device query must not break the metrics page
        }
        memory.ifPresent(m -> {
            out.append("# HELP speechmamba_device_memory_used_bytes Device memory in use.\n");
            out.append("# TYPE speechmamba_device_memory_used_bytes gauge\n");
            out.append("speechmamba_device_memory_used_bytes{device=\"").append(escape(device)).append("\"} ").append(m.usedBytes()).append('\n');
            out.append("# HELP speechmamba_device_memory_total_bytes Device memory in all.\n");
            out.append("# TYPE speechmamba_device_memory_total_bytes gauge\n");
            out.append("speechmamba_device_memory_total_bytes{device=\"").append(escape(device)).append("\"} ").append(m.totalBytes()).append('\n');
        });
        return out.toString();
    }

    static String number(double v) {
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%s", v);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** A Prometheus histogram: cumulative buckets, sum and count. */
    static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds.clone();
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
        }

        void observe(double value) {
            for (int i = 0; i < bounds.length; i++) {
                if (value <= bounds[i]) { counts[i].increment(); break; }
            }
            sum.add(value);
            count.increment();
        }

        void render(StringBuilder out, String name, String help) {
            out.append("# HELP ").append(name).append(' ').append(help).append('\n');
            out.append("# TYPE ").append(name).append(" histogram\n");
            long cumulative = 0;
            long total = count.sum(); // read first: +Inf must be >= every bucket even while others observe
            for (int i = 0; i < bounds.length; i++) {
                cumulative += counts[i].sum();
                out.append(name).append("_bucket{le=\"").append(number(bounds[i])).append("\"} ").append(Math.min(cumulative, total)).append('\n');
            }
            out.append(name).append("_bucket{le=\"+Inf\"} ").append(total).append('\n');
            out.append(name).append("_sum ").append(number(sum.sum())).append('\n');
            out.append(name).append("_count ").append(total).append('\n');
        }
    }
}
