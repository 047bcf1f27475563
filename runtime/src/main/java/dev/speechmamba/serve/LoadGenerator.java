package dev.speechmamba.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Closed-loop load on a transcription server: {@code clients} concurrent clients each send one request, wait for
 * its answer, and send the next, until {@code totalRequests} have been sent or {@code maxDuration} has passed.
 * Reports throughput, latency percentiles and the responses by status.
 *
 * <pre>java ... dev.speechmamba.serve.LoadGenerator URL AUDIO.wav CLIENTS REQUESTS MAX_SECONDS</pre>
 */
public final class LoadGenerator {

    /** What one run measured; latencies in milliseconds. */
    public record Report(int clients, int requests, Map<Integer, Integer> statusCounts, int transportErrors,
                         double seconds, double p50Millis, double p99Millis, double maxMillis) {

        /** Requests that did not end in 200. */
        public int errors() {
            int ok = statusCounts.getOrDefault(200, 0);
            return requests - ok;
        }

        public double throughput() { return requests / seconds; }

        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "%d clients, %d requests in %.2f s: %.1f req/s, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                            + "statuses %s, transport errors %d, errors %d",
                    clients, requests, seconds, throughput(), p50Millis, p99Millis, maxMillis, statusCounts, transportErrors, errors());
        }
    }

    private LoadGenerator() { }

    public static Report run(URI endpoint, byte[] wav, int clients, int totalRequests, Duration maxDuration) throws Exception {
        if (clients < 1 || totalRequests < 1) throw new IllegalArgumentException("load: need >= 1 client and >= 1 request");
        MultipartBody form = new MultipartBody().file("file", "load.wav", "audio/wav", wav).field("model", "speech-mamba");
        byte[] body = form.build();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger transportErrors = new AtomicInteger();
        Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
        List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        long stopAt = start + maxDuration.toNanos();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> workers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < stopAt && sent.getAndIncrement() < totalRequests) {
                        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(120))
                                .header("Content-Type", form.contentType())
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        long t0 = System.nanoTime();
                        try {
                            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            latencies.add((System.nanoTime() - t0) / 1e6);
                            statuses.merge(response.statusCode(), 1, Integer::sum);
                        } catch (java.io.IOException e) {
                            transportErrors.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) w.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<Double> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        int done = sorted.size() + transportErrors.get();
        return new Report(clients, done, new TreeMap<>(statuses), transportErrors.get(), seconds,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.isEmpty() ? Double.NaN : sorted.getLast());
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) return Double.NaN;
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: LoadGenerator URL AUDIO.wav CLIENTS REQUESTS MAX_SECONDS");
            System.exit(2);
        }
        Report report = run(URI.create(args[0]), Files.readAllBytes(Path.of(args[1])), Integer.parseInt(args[2]),
                Integer.parseInt(args[3]), Duration.ofSeconds(Long.parseLong(args[4])));
        System.out.println(report);
        System.exit(report.errors() == 0 ? 0 : 1);
    }
}
