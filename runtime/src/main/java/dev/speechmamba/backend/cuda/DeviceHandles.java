package dev.speechmamba.backend.cuda;

import dev.speechmamba.cuda.CudaDriver;
import dev.speechmamba.cuda.CudaErrors;
import dev.speechmamba.cuda.CudaException;
import dev.speechmamba.cuda.KernelArgs;

/**
 * The driver-level handles of one {@link CudaContext}: the device's primary context, one stream, device
 * limits, and module loading. Every call first makes sure the context is current on the calling thread
 * (CUDA binds contexts per thread), so a backend may be used from any thread, one at a time.
 */
final class DeviceHandles implements AutoCloseable {
    private final CudaDriver driver;
    private final int device;
    private final long context;
    private final long stream;
    private final int maxSharedOptIn;
    private final int multiprocessors;
    private CublasSession cublas;
    private boolean closed;

    private DeviceHandles(CudaDriver driver, int device, long context, long stream) {
        this.driver = driver;
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.maxSharedOptIn = driver.deviceAttribute(device, CudaDriver.DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN);
        this.multiprocessors = driver.deviceAttribute(device, CudaDriver.DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    }

    static DeviceHandles open(CudaDriver driver, int ordinal) {
        int count = driver.deviceCount();
        if (ordinal < 0 || ordinal >= count) {
            throw new IllegalArgumentException("cuda: device " + ordinal + " requested, " + count + " present");
        }
        int device = driver.device(ordinal);
        long context = driver.primaryContextRetain(device);
        try {
            driver.contextSetCurrent(context);
            // A blocking stream: the synchronous host copies (legacy default stream) order with its work.
            long stream = driver.streamCreate(false);
            return new DeviceHandles(driver, device, context, stream);
        } catch (RuntimeException e) {
            driver.primaryContextRelease(device);
            throw e;
        }
    }

    /**
     * Makes this context current on the calling thread. Asking the driver each time (tens of nanoseconds
     * against a launch's microseconds) stays right when several backends or threads share contexts.
     */
    void bind() {
        if (driver.contextGetCurrent() != context) driver.contextSetCurrent(context);
    }

    long stream() { return stream; }

    int maxSharedOptIn() { return maxSharedOptIn; }

    int multiprocessors() { return multiprocessors; }

    CudaDriver driver() { return driver; }

    /** The cuBLAS session bound to this stream, created on first use. */
    synchronized CublasSession cublas() {
        if (cublas == null) {
            bind();
            cublas = new CublasSession(stream);
        }
        return cublas;
    }

    CachingAllocator.DeviceMemory deviceMemory() {
        return new CachingAllocator.DeviceMemory() {
            @Override public long allocate(long bytes) {
                bind();
                return driver.memAlloc(bytes);
            }

            @Override public void free(long pointer) {
                // after close the context's memory went with it; a tensor closed later has nothing to free
                if (isClosed()) return;
                bind();
                driver.memFree(pointer);
            }

            @Override public boolean isOutOfMemory(RuntimeException error) {
                return error instanceof CudaException ce && ce.code() == CudaErrors.CUDA_ERROR_OUT_OF_MEMORY;
            }
        };
    }

    /** Zeroes {@code bytes} (rounded up to whole 32-bit words; allocations are at least 512-byte blocks). */
    void memsetZero(long pointer, long bytes) {
        bind();
        driver.memsetD32Async(pointer, 0, (bytes + 3) / 4, stream);
    }

    void memsetWords(long pointer, int bits, long words) {
        bind();
        driver.memsetD32Async(pointer, bits, words, stream);
    }

    void copyDeviceToDevice(long dst, long src, long bytes) {
        bind();
        driver.copyDtoDAsync(dst, src, bytes, stream);
    }

    void copyToDevice(long dst, float[] src) {
        bind();
        driver.copyHtoD(dst, src, 0, src.length);
    }

    void copyToDevice(long dst, int[] src) {
        bind();
        driver.copyHtoD(dst, src, 0, src.length);
    }

    /** Waits for the stream, then copies (the copy itself is synchronous). */
    void copyToHost(float[] dst, long src) {
        bind();
        driver.streamSynchronize(stream);
        driver.copyDtoH(dst, 0, dst.length, src);
    }

    void copyToHost(int[] dst, long src) {
        bind();
        driver.streamSynchronize(stream);
        driver.copyDtoH(dst, 0, dst.length, src);
    }

    void copyToHost(double[] dst, long src) {
        bind();
        driver.streamSynchronize(stream);
        driver.copyDtoH(java.lang.foreign.MemorySegment.ofArray(dst), src, (long) dst.length * Double.BYTES);
    }

    long loadModule(String sourceFile) {
        bind();
        String ptx = KernelPtx.forSource(sourceFile, driver.computeCapability(device));
        try {
            return driver.moduleLoadData(ptx);
        } catch (CudaException e) {
            throw new IllegalStateException("cuda: loading the PTX of " + sourceFile + " failed: " + e.getMessage(), e);
        }
    }

    long function(long module, String sourceFile, String kernel) {
        bind();
        try {
            return driver.moduleGetFunction(module, kernel);
        } catch (CudaException e) {
            throw new IllegalStateException("cuda: kernel '" + kernel + "' not found in " + sourceFile
                    + " (is it extern \"C\" __global__?)", e);
        }
    }

    void unloadModule(long module) {
        bind();
        driver.moduleUnload(module);
    }

    void setMaxDynamicShared(long function, int bytes) {
        bind();
        driver.funcSetMaxDynamicSharedMemory(function, bytes);
    }

    void launch(long function, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, KernelArgs args) {
        bind();
        driver.launchKernel(function, gx, gy, gz, bx, by, bz, sharedBytes, stream, args);
    }

    void synchronize() {
        bind();
        driver.streamSynchronize(stream);
    }

    synchronized boolean isClosed() { return closed; }

    @Override
    public synchronized void close() {
        if (closed) return;
        bind();
        try {
            if (cublas != null) cublas.close();
        } finally {
            try {
                driver.streamDestroy(stream);
            } finally {
                closed = true;
                driver.primaryContextRelease(device);
            }
        }
    }
}
