package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.Random;

/**
 * GPU timings of the dense ops at Speech-Mamba's training shapes (batch 8, 1000 frames of 80 fbank bins,
 * d_model 256), and a check that conv2d's im2col + GEMM path equals the direct kernels at full size.
 * Run on a GPU machine: {@code java -cp ... dev.speechmamba.backend.cuda.CudaDenseBench}.
 */
public final class CudaDenseBench {
    private CudaDenseBench() { }

    interface Op { void run(); }

    static double micros(Backend backend, Op op, int iterations) {
        op.run();
        backend.synchronize();
        long start = System.nanoTime();
        for (int i = 0; i < iterations; i++) op.run();
        backend.synchronize();
        return (System.nanoTime() - start) / 1e3 / iterations;
    }

    static Tensor random(Backend backend, Random rng, int... dims) {
        long n = 1;
        for (int d : dims) n *= d;
        float[] data = new float[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) data[i] = rng.nextFloat() * 2 - 1;
        return backend.fromHost(data, dims);
    }

    public static void main(String[] args) {
        Random rng = new Random(1);
        System.setProperty(ConvLauncher.GEMM_MIN_K_PROPERTY, Integer.toString(Integer.MAX_VALUE));
        CudaBackend direct = CudaBackend.create(0);
        System.setProperty(ConvLauncher.GEMM_MIN_K_PROPERTY, "1");
        CudaBackend gemmAll = CudaBackend.create(0);
        System.clearProperty(ConvLauncher.GEMM_MIN_K_PROPERTY);
        CudaBackend cuda = CudaBackend.create(0);
        int batch = 8, frames = 1000, bins = 80, channels = 256;
        System.out.printf("%-48s %10s%n", "op (batch 8, T=1000, d=256)", "us");

        // front end: conv 1 -> 256 (k5 s2 p2) then 256 -> 256 (k5 s2 p2)
        int h1 = (frames + 4 - 5) / 2 + 1, w1 = (bins + 4 - 5) / 2 + 1;
        int h2 = (h1 + 4 - 5) / 2 + 1, w2 = (w1 + 4 - 5) / 2 + 1;
        for (CudaBackend b : new CudaBackend[] {direct, gemmAll, cuda}) {
            String tag = b == direct ? "direct" : b == gemmAll ? "gemm" : "default";
            Tensor x = random(b, rng, batch, 1, frames, bins), w = random(b, rng, channels, 1, 5, 5), bias = random(b, rng, channels);
            Tensor y1 = b.zeros(dev.speechmamba.tensor.DType.F32, batch, channels, h1, w1);
            Tensor w2t = random(b, rng, channels, channels, 5, 5);
            Tensor y2 = b.zeros(dev.speechmamba.tensor.DType.F32, batch, channels, h2, w2);
            Tensor dy2 = random(b, rng, batch, channels, h2, w2);
            Tensor dy1 = b.zeros(dev.speechmamba.tensor.DType.F32, batch, channels, h1, w1);
            Tensor dw2 = b.zeros(dev.speechmamba.tensor.DType.F32, channels, channels, 5, 5);
            Tensor dw1 = b.zeros(dev.speechmamba.tensor.DType.F32, channels, 1, 5, 5);
            Tensor dx = b.zeros(dev.speechmamba.tensor.DType.F32, batch, 1, frames, bins);
            System.out.printf("%-48s %10.1f%n", "conv2d 1->256 fwd [" + tag + "]", micros(b, () -> b.conv2d(y1, x, w, bias, 2, 2), 5));
            if (b != gemmAll) {
                System.out.printf("%-48s %10.1f%n", "conv2d 256->256 fwd [" + tag + "]", micros(b, () -> b.conv2d(y2, y1, w2t, bias, 2, 2), 3));
                System.out.printf("%-48s %10.1f%n", "conv2d 256->256 bwd dx+dw+db [" + tag + "]",
                        micros(b, () -> b.conv2dBackward(dy1, dw2, bias, dy2, y1, w2t, 2, 2), 2));
            }
            System.out.printf("%-48s %10.1f%n", "conv2d 1->256 bwd dw only [" + tag + "]",
                    micros(b, () -> b.conv2dBackward(null, dw1, null, dy1, x, w, 2, 2), 3));
            System.out.printf("%-48s %10.1f%n", "conv2d 1->256 bwd dx+dw [" + tag + "]",
                    micros(b, () -> b.conv2dBackward(dx, dw1, null, dy1, x, w, 2, 2), 3));
        }
        // the two paths agree at full size (same inputs uploaded to both backends)
        {
            float[] xs = new float[batch * channels * h1 * w1], ws = new float[channels * channels * 25];
            for (int i = 0; i < xs.length; i++) xs[i] = rng.nextFloat() * 2 - 1;
            for (int i = 0; i < ws.length; i++) ws[i] = (rng.nextFloat() * 2 - 1) * 0.05f;
            float[] a = runConv(direct, xs, ws, batch, channels, h1, w1, h2, w2);
            float[] g = runConv(cuda, xs, ws, batch, channels, h1, w1, h2, w2);
            double worst = 0, scale = 0;
            for (int i = 0; i < a.length; i++) {
                worst = Math.max(worst, Math.abs(a[i] - g[i]));
                scale = Math.max(scale, Math.abs(a[i]));
            }
            System.out.printf("conv2d 256->256 gemm vs direct: max |diff| %.3g (max |out| %.3g)%n", worst, scale);
        }

        int rows = batch * frames / 4;
        Tensor act = random(cuda, rng, rows, channels), wide = random(cuda, rng, channels, 4 * channels);
        Tensor hidden = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows, 4 * channels);
        Tensor dAct = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows, channels);
        Tensor dWide = cuda.zeros(dev.speechmamba.tensor.DType.F32, channels, 4 * channels);
        System.out.printf("%-48s %10.1f%n", "matmul (2000x256)@(256x1024)", micros(cuda, () -> cuda.matmul(hidden, act, false, wide, false, 1f, 0f), 20));
        System.out.printf("%-48s %10.1f%n", "matmulBackward da+db", micros(cuda, () -> cuda.matmulBackward(dAct, dWide, hidden, act, false, wide, false), 20));
        Tensor gamma = random(cuda, rng, channels), beta = random(cuda, rng, channels);
        Tensor mean = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows), rstd = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows);
        Tensor normed = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows, channels);
        System.out.printf("%-48s %10.1f%n", "layerNorm (2000x256)", micros(cuda, () -> cuda.layerNorm(normed, mean, rstd, act, gamma, beta, 1e-5f), 50));
        Tensor logits = random(cuda, rng, rows, 5000), probs = cuda.zeros(dev.speechmamba.tensor.DType.F32, rows, 5000);
        System.out.printf("%-48s %10.1f%n", "logSoftmax (2000x5000)", micros(cuda, () -> cuda.logSoftmax(probs, logits), 20));
        Tensor seq = random(cuda, rng, batch, frames / 4, 2 * channels), cw = random(cuda, rng, 2 * channels, 4);
        Tensor convOut = cuda.zeros(dev.speechmamba.tensor.DType.F32, batch, frames / 4, 2 * channels);
        System.out.printf("%-48s %10.1f%n", "causalConv1d (8x250x512, K=4)", micros(cuda, () -> cuda.causalConv1d(convOut, seq, cw, null), 50));
        Tensor big = random(cuda, rng, 4_000_000);
        System.out.printf("%-48s %10.1f%n", "sumOfSquares (4M, incl. host sync)", micros(cuda, () -> cuda.sumOfSquares(big), 20));
        Tensor small = random(cuda, rng, 1000);
        System.out.printf("%-48s %10.1f%n", "sumOfSquares (1000, incl. host sync)", micros(cuda, () -> cuda.sumOfSquares(small), 20));
        CudaContext ctx = cuda.context();
        try (DeviceStorage partials = ctx.allocate(8L * 4224)) {
            int blocks = ctx.gridFor(big.size(), 256);
            System.out.printf("%-48s %10.1f%n", "  sum_squares_partial kernel only (" + blocks + " blocks)", micros(cuda, () ->
                    ctx.launch("reduce.cu", "sum_squares_partial", blocks, 1, 1, 256, 1, 1, 0,
                            dev.speechmamba.cuda.KernelArgs.of().ptr(partials.pointer()).ptr(ctx.ptr(big)).i64(big.size())), 50));
            System.out.printf("%-48s %10.1f%n", "  stream synchronize (idle)", micros(cuda, cuda::synchronize, 50));
        }
        Tensor m = cuda.zeros(dev.speechmamba.tensor.DType.F32, 4_000_000), v = cuda.zeros(dev.speechmamba.tensor.DType.F32, 4_000_000);
        Tensor grad = random(cuda, rng, 4_000_000);
        int[] step = {0};
        System.out.printf("%-48s %10.1f%n", "adamStep (4M params)", micros(cuda, () -> cuda.adamStep(big, grad, m, v, 1e-3f, 0.9f, 0.98f, 1e-9f, 0f, ++step[0]), 20));
        float[] host = new float[4_000_000];
        for (int i = 0; i < host.length; i++) host[i] = i * 0.5f;
        Tensor target = cuda.zeros(dev.speechmamba.tensor.DType.F32, host.length);
        System.out.printf("%-48s %10.1f%n", "fromHost 16 MB (pageable, sync)", micros(cuda, () -> cuda.fromHost(host, host.length).close(), 10));
        try (PinnedBuffer pinned = cuda.pinnedBuffer(4L * host.length)) {
            System.out.printf("%-48s %10.1f%n", "PinnedBuffer.uploadAsync 16 MB", micros(cuda, () -> pinned.uploadAsync(host, target), 10));
            float[] back = cuda.toHost(target);
            boolean same = java.util.Arrays.equals(back, host);
            System.out.println("pinned upload round trip " + (same ? "ok" : "MISMATCH"));
        }
        System.out.println("allocator: " + cuda.context().allocator());
        Tensor leftover = cuda.zeros(dev.speechmamba.tensor.DType.F32, 1000);
        direct.close();
        gemmAll.close();
        cuda.close();
        leftover.close();
        System.out.println("tensor closed after its backend: ok");
    }

    private static float[] runConv(CudaBackend b, float[] xs, float[] ws, int batch, int channels, int h1, int w1, int h2, int w2) {
        Tensor x = b.fromHost(xs, batch, channels, h1, w1);
        Tensor w = b.fromHost(ws, channels, channels, 5, 5);
        Tensor y = b.zeros(dev.speechmamba.tensor.DType.F32, batch, channels, h2, w2);
        b.conv2d(y, x, w, null, 2, 2);
        return b.toHost(y);
    }
}
