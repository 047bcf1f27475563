package dev.speechmamba.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The driver API on a real GPU, through both implementations. */
@Tag("gpu")
class CudaDriverGpuTest {

    private static final ClassLoader LOADER = CudaDriverGpuTest.class.getClassLoader();

    private static long testModule(CudaDriver driver, KernelSources.Mode mode) {
        KernelSources kernels = new KernelSources("dev/speechmamba/testkernels/", LOADER);
        return driver.moduleLoadData(kernels.ptx("binding_test", GpuTestSupport.capability(driver), mode).text());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void deviceFacts(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        int device = driver.device(0);
        assertTrue(driver.deviceCount() >= 1);
        assertTrue(driver.driverVersion() >= 12000, "driver version " + driver.driverVersion());
        assertTrue(driver.deviceName(device).contains("NVIDIA"), driver.deviceName(device));
        assertTrue(driver.computeCapability(device).major() >= 7);
        long total = driver.deviceTotalMemory(device);
        MemInfo info = driver.memGetInfo();
        assertEquals(total, info.totalBytes());
        assertTrue(info.freeBytes() > 0 && info.freeBytes() <= total);
        assertTrue(driver.deviceAttribute(device, CudaDriver.DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT) > 0);
        assertEquals(32, driver.deviceAttribute(device, CudaDriver.DEVICE_ATTRIBUTE_WARP_SIZE));
        assertNotEquals(0L, driver.contextGetCurrent());
        System.out.printf("[%s] %s cc %s, %.1f GiB, driver %d%n", name, driver.deviceName(device),
                driver.computeCapability(device), total / (double) (1L << 30), driver.driverVersion());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void copiesRoundTripThroughEveryHostForm(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        int n = 1000;
        float[] data = new float[n];
        int[] ints = new int[n];
        Random random = new Random(1);
        for (int i = 0; i < n; i++) {
            data[i] = random.nextFloat() - 0.5f;
            ints[i] = random.nextInt();
        }
        long a = driver.memAlloc(4L * n);
        long b = driver.memAlloc(4L * n);
        long stream = driver.streamCreate(true);
        MemorySegment pinned = driver.memAllocHost(4L * n);
        try (Arena arena = Arena.ofConfined()) {
            // float[] with offsets
            driver.copyHtoD(a, data, 10, n - 10);
            float[] back = new float[n];
            driver.copyDtoH(back, 5, n - 10, a);
            for (int i = 0; i < n - 10; i++) {
                assertEquals(data[10 + i], back[5 + i]);
            }
            // int[] and device-to-device
            driver.copyHtoD(a, ints, 0, n);
            driver.copyDtoD(b, a, 4L * n);
            int[] intsBack = new int[n];
            driver.copyDtoH(intsBack, 0, n, b);
            assertArrayEquals(ints, intsBack);
            // native and heap segments
            MemorySegment nativeSrc = arena.allocateFrom(JAVA_FLOAT, data);
            driver.copyHtoD(a, nativeSrc, 4L * n);
            float[] heapBack = new float[n];
            driver.copyDtoH(MemorySegment.ofArray(heapBack), a, 4L * n);
            assertArrayEquals(data, heapBack);
            // pinned async on a stream, memset async
            driver.memsetD32Async(b, Float.floatToRawIntBits(3.5f), n, stream);
            driver.copyDtoHAsync(pinned, b, 4L * n, stream);
            driver.streamSynchronize(stream);
            for (int i = 0; i < n; i++) {
                assertEquals(3.5f, pinned.getAtIndex(JAVA_FLOAT, i));
            }
            MemorySegment.copy(nativeSrc, 0, pinned, 0, 4L * n);
            driver.copyHtoDAsync(b, pinned, 4L * n, stream);
            driver.copyDtoDAsync(a, b, 4L * n, stream);
            driver.streamSynchronize(stream);
            driver.memsetD32(b, 0, n);
            float[] asyncBack = new float[n];
            driver.copyDtoH(asyncBack, 0, n, a);
            assertArrayEquals(data, asyncBack);
            assertThrows(IllegalArgumentException.class,
                    () -> driver.copyHtoDAsync(a, MemorySegment.ofArray(new float[n]), 4L * n, stream));
            assertThrows(IndexOutOfBoundsException.class, () -> driver.copyHtoD(a, data, 1, n));
        } finally {
            driver.memFreeHost(pinned);
            driver.streamDestroy(stream);
            driver.memFree(a);
            driver.memFree(b);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm:ptx", "ffm:nvrtc", "jcuda:ptx", "jcuda:nvrtc"})
    void launchesAKernelWithEveryArgumentType(String driverAndMode) {
        String[] parts = driverAndMode.split(":");
        CudaDriver driver = GpuTestSupport.driverWithContext(parts[0]);
        long module = testModule(driver, KernelSources.Mode.parse(parts[1]));
        long function = driver.moduleGetFunction(module, "affine_gather");
        int n = 5000;
        float[] x = new float[n];
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.25f;
            index[i] = (i * 7919) % n;
        }
        long dx = driver.memAlloc(4L * n);
        long dIndex = driver.memAlloc(4L * n);
        long dOut = driver.memAlloc(4L * n);
        try {
            driver.copyHtoD(dx, x, 0, n);
            driver.copyHtoD(dIndex, index, 0, n);
            long shift = 3L;
            driver.launchKernel(function, Dim3.of(Dim3.ceilDiv(n, 256)), Dim3.of(256), 0, 0,
                    KernelArgs.of().ptr(dOut).ptr(dx).ptr(dIndex).i32(n).f32(-2f).i64(shift));
            driver.contextSynchronize();
            float[] out = new float[n];
            driver.copyDtoH(out, 0, n, dOut);
            for (int i = 0; i < n; i++) {
                assertEquals(-2f * x[index[i]] + shift, out[i], "element " + i);
            }
            CudaException tooBig = assertThrows(CudaException.class, () -> driver.launchKernel(function,
                    Dim3.of(1), Dim3.of(4096), 0, 0, KernelArgs.of().ptr(dOut).ptr(dx).ptr(dIndex).i32(n).f32(1f).i64(0)));
            assertEquals("CUDA_ERROR_INVALID_VALUE", tooBig.errorName());
            assertTrue(tooBig.getMessage().contains("cuLaunchKernel"), tooBig.getMessage());
        } finally {
            driver.memFree(dx);
            driver.memFree(dIndex);
            driver.memFree(dOut);
            driver.moduleUnload(module);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void dynamicSharedMemoryAbove48KiBNeedsTheAttribute(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        long module = testModule(driver, KernelSources.Mode.AUTO);
        long function = driver.moduleGetFunction(module, "reverse_in_shared");
        int n = 24 * 1024; // 96 KiB of floats
        int bytes = 4 * n;
        long in = driver.memAlloc(bytes);
        long out = driver.memAlloc(bytes);
        try {
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = i;
            }
            driver.copyHtoD(in, data, 0, n);
            KernelArgs args = KernelArgs.of().ptr(out).ptr(in).i32(n);
            assertThrows(CudaException.class, () -> driver.launchKernel(function, Dim3.of(1), Dim3.of(256), bytes, 0, args));
            driver.funcSetMaxDynamicSharedMemory(function, bytes);
            assertEquals(bytes, driver.funcGetAttribute(function, CudaDriver.FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES));
            driver.launchKernel(function, Dim3.of(1), Dim3.of(256), bytes, 0, args);
            float[] back = new float[n];
            driver.copyDtoH(back, 0, n, out);
            for (int i = 0; i < n; i++) {
                assertEquals(n - 1 - i, back[i]);
            }
        } finally {
            driver.memFree(in);
            driver.memFree(out);
            driver.moduleUnload(module);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void eventsTimeAndGraphsReplay(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        long module = testModule(driver, KernelSources.Mode.AUTO);
        long increment = driver.moduleGetFunction(module, "increment");
        int n = 1 << 20;
        long x = driver.memAlloc(4L * n);
        long stream = driver.streamCreate(true);
        long start = driver.eventCreate(true);
        long end = driver.eventCreate(true);
        long sync = driver.eventCreate(false);
        try {
            driver.memsetD32Async(x, 0, n, stream);
            KernelArgs args = KernelArgs.of().ptr(x).i32(n);
            driver.streamBeginCapture(stream, CudaDriver.CaptureMode.THREAD_LOCAL);
            for (int i = 0; i < 10; i++) {
                driver.launchKernel(increment, Dim3.of(n / 256), Dim3.of(256), 0, stream, args);
            }
            long graph = driver.streamEndCapture(stream);
            long exec = driver.graphInstantiate(graph);
            driver.eventRecord(start, stream);
            for (int r = 0; r < 3; r++) {
                driver.graphLaunch(exec, stream);
            }
            driver.eventRecord(end, stream);
            driver.eventRecord(sync, stream);
            driver.streamWaitEvent(0, sync);
            driver.eventSynchronize(end);
            float millis = driver.eventElapsedMillis(start, end);
            assertTrue(millis > 0 && millis < 1000, "elapsed " + millis + " ms");
            float[] back = new float[n];
            driver.copyDtoH(back, 0, n, x);
            for (int i = 0; i < n; i += 997) {
                assertEquals(30f, back[i], "element " + i);
            }
            driver.graphExecDestroy(exec);
            driver.graphDestroy(graph);
            System.out.printf("[%s] 30 graph-launched increments of 4 MiB: %.3f ms%n", name, millis);
        } finally {
            driver.eventDestroy(start);
            driver.eventDestroy(end);
            driver.eventDestroy(sync);
            driver.streamDestroy(stream);
            driver.memFree(x);
            driver.moduleUnload(module);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void errorsCarryTheDriverNames(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", driver.errorName(2));
        CudaException oom = assertThrows(CudaException.class, () -> driver.memAlloc(1L << 50));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", oom.errorName());
        CudaException badPtx = assertThrows(CudaException.class, () -> driver.moduleLoadData("this is not PTX"));
        assertTrue(badPtx.errorName().startsWith("CUDA_ERROR_"), badPtx.getMessage());
        long module = testModule(driver, KernelSources.Mode.AUTO);
        CudaException missing = assertThrows(CudaException.class, () -> driver.moduleGetFunction(module, "no_such_kernel"));
        assertEquals("CUDA_ERROR_NOT_FOUND", missing.errorName());
        assertTrue(missing.getMessage().contains("no_such_kernel"), missing.getMessage());
        driver.moduleUnload(module);
    }

    /** Host cost of one launch through each path (no assertion on speed; printed for the report). */
    @ParameterizedTest
    @ValueSource(strings = {"ffm", "jcuda"})
    void launchOverhead(String name) {
        CudaDriver driver = GpuTestSupport.driverWithContext(name);
        long module = testModule(driver, KernelSources.Mode.AUTO);
        long increment = driver.moduleGetFunction(module, "increment");
        long x = driver.memAlloc(4 * 256);
        KernelArgs args = KernelArgs.of().ptr(x).i32(256);
        try {
            for (int round = 0; round < 3; round++) {
                int launches = 20_000;
                long t0 = System.nanoTime();
                for (int i = 0; i < launches; i++) {
                    driver.launchKernel(increment, 1, 1, 1, 256, 1, 1, 0, 0, args);
                }
                driver.contextSynchronize();
                long t1 = System.nanoTime();
                if (round == 2) {
                    System.out.printf("[%s] launch + sync: %.2f us per launch (%d launches)%n", name,
                            (t1 - t0) / 1e3 / launches, launches);
                }
            }
        } finally {
            driver.memFree(x);
            driver.moduleUnload(module);
        }
    }
}
