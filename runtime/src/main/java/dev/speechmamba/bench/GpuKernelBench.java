package dev.speechmamba.bench;

import dev.speechmamba.backend.AttentionMask;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.backend.ScanGrads;
import dev.speechmamba.backend.ScanInputs;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Device-synchronized timings of the selective scan, attention and GEMM on one backend (meant for
 * CUDA; runs on the CPU backends too), with each kernel's physical floor on the card: the scan must
 * evaluate B·T·D·N exponentials and move its inputs and outputs once; attention is compared with
 * PyTorch's scaled_dot_product_attention by a separate script at the same shapes.
 *
 * <p>Usage: {@code GpuKernelBench OUT.csv [backend] [budgetSeconds] [groups]}, groups a comma list of
 * {@code scan}, {@code attn}, {@code gemm} (default all three). Prints and writes CSV rows
 * {@code kernel,shape,ms_median,floor_ms,achieved}. On cuda the {@code scan_fwd} rows use the forward kernel
 * that {@value #SCAN_FORWARD_PROPERTY} selects (default auto: by state size), and the scan group adds
 * {@code scan_fwd_v1} and {@code scan_fwd_v2} rows from backends forced to each kernel, so one run compares them.
 */
public final class GpuKernelBench {
    /** Card limits used for floors (H100/H200 SXM): 132 SMs × 16 exp/clk × 1.98 GHz; HBM ~3.9 TB/s measured. */
    static final double EXP_PER_SECOND = 132 * 16 * 1.98e9;
    static final double BYTES_PER_SECOND = 3.9e12;
    /** The CUDA scan forward switch (ScanLauncher.FORWARD_KERNEL_PROPERTY; that class is package-private). */
    public static final String SCAN_FORWARD_PROPERTY = "speechmamba.cuda.scanForward";
    static final List<String> GROUPS = List.of("scan", "attn", "gemm");

    private final Backend be;
    private final List<String> rows;
    private final long deadline;

    private GpuKernelBench(Backend be, List<String> rows, long deadline) {
        this.be = be;
        this.rows = rows;
        this.deadline = deadline;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "kernel-bench.csv");
        String backend = args.length > 1 ? args[1] : "cuda";
        double budget = args.length > 2 ? Double.parseDouble(args[2]) : 120;
        List<String> groups = groups(args.length > 3 ? args[3] : String.join(",", GROUPS));
        long deadline = System.nanoTime() + (long) (budget * 1e9);
        List<String> rows = new ArrayList<>();
        try (Backend be = Backends.create(backend)) {
            GpuKernelBench b = new GpuKernelBench(be, rows, deadline);
            b.row("kernel,shape,ms_median,floor_ms,achieved_fraction_of_floor");
            if (groups.contains("scan")) {
                for (int n : new int[] {16, 256}) {
                    for (int t : new int[] {1024, 4096, 16384}) b.scan("scan_fwd", 1, t, 1024, n, true);
                }
            }
            if (groups.contains("attn")) {
                for (int t : new int[] {1024, 4096, 16384, 65536}) b.attention(1, t, 4, 128, -1, 0);
                for (int t : new int[] {16384, 65536}) b.attention(1, t, 4, 128, 256, 0);
                b.attention(1, 65536, 4, 128, 256, 4);
            }
            if (groups.contains("gemm")) {
                for (int s : new int[] {1024, 4096}) b.gemm(s);
            }
        }
        if (groups.contains("scan") && backend.equals("cuda")) {
            String before = System.getProperty(SCAN_FORWARD_PROPERTY);
            try {
                for (String kernel : new String[] {"v1", "v2"}) {
                    System.setProperty(SCAN_FORWARD_PROPERTY, kernel);
                    try (Backend forced = Backends.create(backend)) {
                        GpuKernelBench b = new GpuKernelBench(forced, rows, deadline);
                        for (int n : new int[] {16, 256}) {
                            for (int t : new int[] {1024, 4096, 16384}) b.scan("scan_fwd_" + kernel, 1, t, 1024, n, false);
                        }
                    }
                }
            } finally {
                if (before == null) System.clearProperty(SCAN_FORWARD_PROPERTY);
                else System.setProperty(SCAN_FORWARD_PROPERTY, before);
            }
        }
        Files.write(out, rows);
    }

    /** The benchmark groups named by a comma list; an unknown name is an error listing the known ones. */
    static List<String> groups(String commaList) {
        List<String> named = new ArrayList<>();
        for (String g : commaList.split(",")) {
            String name = g.trim();
            if (!GROUPS.contains(name)) {
                throw new IllegalArgumentException("GpuKernelBench: unknown group '" + name + "' in '" + commaList
                        + "'; groups are " + String.join(", ", GROUPS));
            }
            named.add(name);
        }
        return named;
    }

    private void row(String line) {
        rows.add(line);
        System.out.println(line);
    }

    private boolean outOfTime(String what) {
        if (System.nanoTime() < deadline) return false;
        row(what + ",skipped: benchmark time budget spent,,,");
        return true;
    }

    private Tensor random(SplittableRandom rng, double lo, double hi, int... dims) {
        int n = Math.toIntExact(Arrays.stream(dims).asLongStream().reduce(1, (a, b) -> a * b));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return be.fromHost(v, dims);
    }

    /** Median wall time of {@code repeats} synchronized runs after two warm-ups, in ms. */
    private double time(Runnable r, int repeats) {
        r.run();
        r.run();
        be.synchronize();
        double[] ms = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            r.run();
            be.synchronize();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        return ms[repeats / 2];
    }

    /** Forward row labelled {@code forwardLabel}, then (when {@code withBackward}) the scan_bwd row. */
    private void scan(String forwardLabel, int batch, int time, int dInner, int dState, boolean withBackward) {
        String shape = "B=" + batch + " T=" + time + " D=" + dInner + " N=" + dState;
        if (outOfTime(forwardLabel + " " + shape)) return;
        SplittableRandom rng = new SplittableRandom(1);
        float[] aInit = new float[dInner * dState];
        for (int d = 0; d < dInner; d++) for (int n = 0; n < dState; n++) aInit[d * dState + n] = -(n + 1);
        try (Tensor u = random(rng, -1, 1, batch, time, dInner);
             Tensor delta = random(rng, -4, -1, batch, time, dInner);
             Tensor a = be.fromHost(aInit, dInner, dState);
             Tensor bm = random(rng, -1, 1, batch, time, dState);
             Tensor cm = random(rng, -1, 1, batch, time, dState);
             Tensor dSkip = random(rng, 0.5, 1.5, dInner);
             Tensor z = random(rng, -1, 1, batch, time, dInner);
             Tensor bias = random(rng, -1, 0, dInner);
             Tensor out = be.zeros(DType.F32, batch, time, dInner)) {
            ScanInputs in = new ScanInputs(u, delta, a, bm, cm, dSkip, z, bias, true, null);
            double exps = (double) batch * time * dInner * dState;
            double bytes = 4.0 * batch * time * (4.0 * dInner + 2.0 * dState);
            double floor = Math.max(exps / EXP_PER_SECOND, bytes / BYTES_PER_SECOND) * 1e3;
            double fwd = time(() -> {
                Tensor saved = be.selectiveScan(out, in);
                if (saved != null) saved.close();
            }, 5);
            row(String.format(Locale.ROOT, "%s,%s,%.4f,%.4f,%.3f", forwardLabel, shape, fwd, floor, floor / fwd));
            if (!withBackward || outOfTime("scan_bwd " + shape)) return;
            try (Tensor dOut = random(rng, -1, 1, batch, time, dInner);
                 Tensor du = be.zeros(DType.F32, batch, time, dInner);
                 Tensor dDelta = be.zeros(DType.F32, batch, time, dInner);
                 Tensor dA = be.zeros(DType.F32, dInner, dState);
                 Tensor dB = be.zeros(DType.F32, batch, time, dState);
                 Tensor dC = be.zeros(DType.F32, batch, time, dState);
                 Tensor dD = be.zeros(DType.F32, dInner);
                 Tensor dz = be.zeros(DType.F32, batch, time, dInner);
                 Tensor dBias = be.zeros(DType.F32, dInner)) {
                Tensor saved = be.selectiveScan(out, in);
                ScanGrads g = new ScanGrads(du, dDelta, dA, dB, dC, dD, dz, dBias);
                // backward recomputes the forward inside chunks: two exps per element and twice the traffic
                double bwd = time(() -> be.selectiveScanBackward(g, dOut, in, saved), 3);
                if (saved != null) saved.close();
                row(String.format(Locale.ROOT, "scan_bwd,%s,%.4f,%.4f,%.3f", shape, bwd, 2 * floor, 2 * floor / bwd));
            }
        }
    }

    private void attention(int batch, int time, int heads, int headDim, int window, int globalTokens) {
        String shape = "B=" + batch + " T=" + time + " H=" + heads + " Dh=" + headDim + (window >= 0 ? " W=" + window : "")
                + (globalTokens > 0 ? " G=" + globalTokens : "");
        if (outOfTime("attn_fwd " + shape)) return;
        SplittableRandom rng = new SplittableRandom(2);
        try (Tensor q = random(rng, -1, 1, batch, time, heads, headDim);
             Tensor k = random(rng, -1, 1, batch, time, heads, headDim);
             Tensor v = random(rng, -1, 1, batch, time, heads, headDim);
             Tensor out = be.zeros(DType.F32, batch, time, heads, headDim);
             Tensor lse = be.zeros(DType.F32, batch, heads, time)) {
            AttentionMask mask = new AttentionMask(null, false, window, window, globalTokens);
            float scale = (float) (1 / Math.sqrt(headDim));
            // visible (query, key) pairs: a window row sees 2W+1 keys plus the G global ones, a global row sees all
            double pairs = window < 0 ? (double) time * time
                    : (double) (time - globalTokens) * Math.min(time, 2 * window + 1 + globalTokens)
                    + (double) globalTokens * time;
            double flops = 4.0 * batch * heads * pairs * headDim;
            double ms = time(() -> be.attention(out, lse, q, k, v, mask, scale), time >= 65536 ? 2 : 5);
            // floor: FP32 FMA peak of the card (~67 TFLOP/s on H100/H200 SXM without tensor cores)
            double floor = flops / 67e12 * 1e3;
            row(String.format(Locale.ROOT, "attn_fwd,%s,%.4f,%.4f,%.3f", shape, ms, floor, floor / ms));
        }
    }

    private void gemm(int size) {
        String shape = size + "x" + size + "x" + size;
        if (outOfTime("sgemm " + shape)) return;
        SplittableRandom rng = new SplittableRandom(3);
        try (Tensor a = random(rng, -1, 1, size, size);
             Tensor b = random(rng, -1, 1, size, size);
             Tensor c = be.zeros(DType.F32, size, size)) {
            double ms = time(() -> be.matmul(c, a, false, b, false, 1f, 0f), 10);
            double tflops = 2.0 * size * size * size / (ms * 1e-3) / 1e12;
            row(String.format(Locale.ROOT, "sgemm,%s,%.4f,,%.1f TFLOP/s", shape, ms, tflops));
        }
    }

}
