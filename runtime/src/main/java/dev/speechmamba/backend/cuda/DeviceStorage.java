package dev.speechmamba.backend.cuda;

import dev.speechmamba.tensor.Storage;

/**
 * A block of device memory from a {@link CachingAllocator}; {@link #close} returns it to the cache
 * (idempotent). Tensors on the CUDA backend hold one of these as their storage.
 */
public final class DeviceStorage implements Storage {
    private final CachingAllocator allocator;
    private final long pointer;
    private final long byteSize;
    private boolean closed;

    DeviceStorage(CachingAllocator allocator, long pointer, long byteSize) {
        this.allocator = allocator;
        this.pointer = pointer;
        this.byteSize = byteSize;
    }

    /** Device address of the first byte; fails after close so a use-after-free is caught on the host. */
    public synchronized long pointer() {
        if (closed) throw new IllegalStateException("device storage of " + byteSize + " bytes was already closed");
        return pointer;
    }

    @Override public long byteSize() { return byteSize; }

    @Override public boolean isHost() { return false; }

    public synchronized boolean isClosed() { return closed; }

    /** Whether this storage came from {@code owner} (a tensor of another CUDA backend instance is rejected). */
    boolean belongsTo(CachingAllocator owner) { return allocator == owner; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        allocator.release(pointer);
    }

    @Override public String toString() { return "DeviceStorage[" + byteSize + " bytes at 0x" + Long.toHexString(pointer) + "]"; }
}
