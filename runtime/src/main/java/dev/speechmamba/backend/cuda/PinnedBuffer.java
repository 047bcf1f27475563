package dev.speechmamba.backend.cuda;

import dev.speechmamba.cuda.CudaDriver;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A page-locked host staging buffer for asynchronous uploads: the host copies a batch into pinned memory
 * and the DMA engine moves it to the device while the stream keeps computing, instead of the synchronous
 * pageable copy of {@link CudaBackend#fromHost}. One upload may be in flight per buffer; the next upload
 * (or {@link #close}) first waits for the previous copy to finish reading the staging memory. Use two
 * buffers to stage batch n+1 while batch n uploads.
 */
public final class PinnedBuffer implements AutoCloseable {
    private final CudaContext ctx;
    private final CudaDriver driver;
    private final MemorySegment staging;
    private final long event;
    private boolean inFlight;
    private boolean closed;

    PinnedBuffer(CudaContext ctx, long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("PinnedBuffer: size must be positive, got " + bytes);
        this.ctx = ctx;
        this.driver = ctx.driver();
        ctx.handles().bind();
        this.staging = driver.memAllocHost(bytes);
        long e;
        try {
            e = driver.eventCreate(false);
        } catch (RuntimeException ex) {
            driver.memFreeHost(staging);
            throw ex;
        }
        this.event = e;
    }

    public long byteSize() { return staging.byteSize(); }

    /** Queues dst = data (F32, same element count) on the backend's stream; returns once data is staged. */
    public void uploadAsync(float[] data, Tensor dst) {
        prepare("uploadAsync", dst, DType.F32, data.length);
        MemorySegment.copy(data, 0, staging, ValueLayout.JAVA_FLOAT, 0, data.length);
        queue(dst, (long) data.length * Float.BYTES);
    }

    /** Queues dst = data (I32, same element count) on the backend's stream; returns once data is staged. */
    public void uploadAsync(int[] data, Tensor dst) {
        prepare("uploadAsync", dst, DType.I32, data.length);
        MemorySegment.copy(data, 0, staging, ValueLayout.JAVA_INT, 0, data.length);
        queue(dst, (long) data.length * Integer.BYTES);
    }

    private void prepare(String op, Tensor dst, DType dtype, int length) {
        if (closed) throw new IllegalStateException("PinnedBuffer." + op + ": buffer is closed");
        if (dst.dtype() != dtype) throw new IllegalArgumentException("PinnedBuffer." + op + ": dst is " + dst.dtype() + ", data is " + dtype);
        if (dst.size() != length) {
            throw new IllegalArgumentException("PinnedBuffer." + op + ": dst " + dst.shape() + " holds " + dst.size()
                    + " elements, data has " + length);
        }
        if ((long) length * dtype.bytes() > staging.byteSize()) {
            throw new IllegalArgumentException("PinnedBuffer." + op + ": " + (long) length * dtype.bytes()
                    + " bytes do not fit the " + staging.byteSize() + "-byte staging buffer");
        }
        awaitPrevious();
    }

    private void queue(Tensor dst, long bytes) {
        if (bytes == 0) return;
        ctx.handles().bind();
        driver.copyHtoDAsync(ctx.ptr(dst), staging, bytes, ctx.stream());
        driver.eventRecord(event, ctx.stream());
        inFlight = true;
    }

    /** Blocks until the last queued upload has read the staging memory. */
    public void awaitPrevious() {
        if (!inFlight) return;
        ctx.handles().bind();
        driver.eventSynchronize(event);
        inFlight = false;
    }

    @Override
    public void close() {
        if (closed) return;
        try {
            awaitPrevious();
        } finally {
            closed = true;
            driver.eventDestroy(event);
            driver.memFreeHost(staging);
        }
    }
}
