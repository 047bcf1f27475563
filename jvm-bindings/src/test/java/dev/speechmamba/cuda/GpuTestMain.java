package dev.speechmamba.cuda;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import dev.speechmamba.cuda.cublas.Cublas;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs this module's tests (GPU ones included) where there is no Maven, e.g. on the GPU machine with a
 * jlink'd runtime, then prints a few timings. Exit code 0 only when every test passed.
 * Usage: {@code java --enable-native-access=ALL-UNNAMED -cp 'lib/*:test-classes' dev.speechmamba.cuda.GpuTestMain}
 */
public final class GpuTestMain {

    private GpuTestMain() {
    }

    public static void main(String[] args) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(selectPackage("dev.speechmamba.cuda")).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        PrintWriter out = new PrintWriter(System.out, true);
        summary.printFailuresTo(out, 30);
        summary.printTo(out);
        if (CudaDrivers.isGpuPresent() && (args.length == 0 || !args[0].equals("--no-bench"))) {
            bench();
        }
        System.exit(summary.getTotalFailureCount() == 0 && summary.getTestsFoundCount() > 0 ? 0 : 1);
    }

    private static void bench() {
        CudaDriver driver = GpuTestSupport.driverWithContext("ffm");
        int n = 64 << 20; // 256 MiB of floats
        float[] heap = new float[n];
        long device = driver.memAlloc(4L * n);
        MemorySegment pinned = driver.memAllocHost(4L * n);
        long start = driver.eventCreate(true);
        long end = driver.eventCreate(true);
        try {
            for (int round = 0; round < 2; round++) {
                long t0 = System.nanoTime();
                driver.copyHtoD(device, heap, 0, n);
                long t1 = System.nanoTime();
                driver.copyHtoD(device, pinned, 4L * n);
                long t2 = System.nanoTime();
                if (round == 1) {
                    System.out.printf("bench: HtoD 256 MiB from float[] %.1f GB/s, from pinned %.1f GB/s%n",
                            4.0 * n / (t1 - t0), 4.0 * n / (t2 - t1));
                }
            }
            int size = 4096;
            try (Cublas cublas = Cublas.create()) {
                for (Cublas.ComputeType type : new Cublas.ComputeType[] {Cublas.ComputeType.COMPUTE_32F,
                        Cublas.ComputeType.COMPUTE_32F_FAST_TF32}) {
                    for (int round = 0; round < 2; round++) {
                        driver.eventRecord(start, 0);
                        int reps = 10;
                        for (int r = 0; r < reps; r++) {
                            cublas.gemmEx(Cublas.Op.N, Cublas.Op.N, size, size, size, 1f, device, Cublas.DataType.R_32F,
                                    size, device + 4L * size * size, Cublas.DataType.R_32F, size, 0f,
                                    device + 8L * size * size, Cublas.DataType.R_32F, size, type, Cublas.GEMM_DEFAULT);
                        }
                        driver.eventRecord(end, 0);
                        driver.eventSynchronize(end);
                        float millis = driver.eventElapsedMillis(start, end) / reps;
                        if (round == 1) {
                            System.out.printf("bench: gemmEx %d^3 %s: %.3f ms, %.1f TFLOP/s%n", size, type, millis,
                                    2.0 * size * size * size / (millis * 1e-3) / 1e12);
                        }
                    }
                }
            }
        } finally {
            driver.eventDestroy(start);
            driver.eventDestroy(end);
            driver.memFreeHost(pinned);
            driver.memFree(device);
        }
    }
}
