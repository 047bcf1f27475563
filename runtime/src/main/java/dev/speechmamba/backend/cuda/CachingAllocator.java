package dev.speechmamba.backend.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator: freed blocks go back to a per-size-class free list and are handed out
 * again without calling cuMemAlloc, so a training step that allocates the same shapes every step stops
 * touching the driver after the first step.
 *
 * <p>Size classes: requests up to 1 MiB round up to a multiple of 512 bytes; larger ones to a multiple
 * of 2 MiB. A request is served only from its own class (no splitting), which bounds waste to the
 * rounding. All work runs on one stream, so a block freed on the host can be reused at once: later
 * kernels using it are ordered after the earlier ones on the same stream.
 *
 * <p>When the device is out of memory the cache is released and the allocation retried once; if that
 * fails too, a {@link DeviceOutOfMemoryException} names the request and the allocator's state.
 */
public final class CachingAllocator implements AutoCloseable {

    /** Raw device memory: cuMemAlloc/cuMemFree on a real device, a counter in tests. */
    public interface DeviceMemory {
        /** Allocates; throws a RuntimeException when the device has no room. */
        long allocate(long bytes);

        void free(long pointer);

        /** True when {@code error} (thrown by {@link #allocate}) means out of memory rather than another failure. */
        boolean isOutOfMemory(RuntimeException error);
    }

    /** Thrown when a request cannot be met even after releasing every cached block. */
    public static final class DeviceOutOfMemoryException extends RuntimeException {
        DeviceOutOfMemoryException(String message, Throwable cause) { super(message, cause); }
    }

    static final long SMALL_LIMIT = 1L << 20;
    static final long SMALL_ROUND = 512;
    static final long LARGE_ROUND = 2L << 20;

    private final DeviceMemory memory;
    private final TreeMap<Long, ArrayDeque<Long>> freeBlocks = new TreeMap<>(); // size class -> pointers
    private final Map<Long, Long> liveBlocks = new HashMap<>();                  // pointer -> size class
    private long bytesInUse;
    private long bytesCached;
    private long peakBytesInUse;
    private long driverAllocations;
    private boolean closed;

    public CachingAllocator(DeviceMemory memory) { this.memory = memory; }

    /** The size class a request of {@code bytes} is served from (at least 512 bytes, so empty tensors get a valid pointer). */
    public static long sizeClass(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("negative allocation size " + bytes);
        long round = bytes <= SMALL_LIMIT ? SMALL_ROUND : LARGE_ROUND;
        long rounded = (bytes + round - 1) / round * round;
        return Math.max(rounded, SMALL_ROUND);
    }

    /** A device block of at least {@code bytes}; give it back with {@link #release}. */
    public synchronized long allocate(long bytes) {
        if (closed) throw new IllegalStateException("allocator is closed");
        long size = sizeClass(bytes);
        ArrayDeque<Long> bin = freeBlocks.get(size);
        long pointer;
        if (bin != null && !bin.isEmpty()) {
            pointer = bin.pop();
            if (bin.isEmpty()) freeBlocks.remove(size);
            bytesCached -= size;
        } else {
            pointer = allocateFromDevice(bytes, size);
        }
        liveBlocks.put(pointer, size);
        bytesInUse += size;
        peakBytesInUse = Math.max(peakBytesInUse, bytesInUse);
        return pointer;
    }

    private long allocateFromDevice(long requested, long size) {
        try {
            driverAllocations++;
            return memory.allocate(size);
        } catch (RuntimeException first) {
            if (!memory.isOutOfMemory(first)) throw first;
            long cachedBefore = bytesCached;
            emptyCache();
            try {
                return memory.allocate(size);
            } catch (RuntimeException second) {
                if (!memory.isOutOfMemory(second)) throw second;
                throw new DeviceOutOfMemoryException(String.format(
                        "CUDA out of memory: requested %s (size class %s) with %s in use by live tensors "
                                + "(peak %s); released %s of cached blocks and retried, still no room",
                        human(requested), human(size), human(bytesInUse), human(peakBytesInUse),
                        human(cachedBefore)), second);
            }
        }
    }

    /** Returns a block to the cache. Releasing a pointer this allocator did not hand out is an error. */
    public synchronized void release(long pointer) {
        Long size = liveBlocks.remove(pointer);
        if (size == null) {
            throw new IllegalStateException("release of device pointer 0x" + Long.toHexString(pointer)
                    + " that is not a live block of this allocator");
        }
        bytesInUse -= size;
        if (closed) {
            memory.free(pointer);
            return;
        }
        freeBlocks.computeIfAbsent(size, s -> new ArrayDeque<>()).push(pointer);
        bytesCached += size;
    }

    /** Frees every cached (not live) block back to the driver. */
    public synchronized void emptyCache() {
        for (ArrayDeque<Long> bin : freeBlocks.values()) {
            for (long pointer : bin) memory.free(pointer);
        }
        freeBlocks.clear();
        bytesCached = 0;
    }

    public synchronized long bytesInUse() { return bytesInUse; }

    public synchronized long bytesCached() { return bytesCached; }

    public synchronized long peakBytesInUse() { return peakBytesInUse; }

    /** How many times the driver was asked for memory (stays flat once the cache is warm). */
    public synchronized long driverAllocations() { return driverAllocations; }

    public synchronized int liveBlockCount() { return liveBlocks.size(); }

    /** Frees the cache; blocks still live are freed when released. */
    @Override
    public synchronized void close() {
        emptyCache();
        closed = true;
    }

    @Override
    public synchronized String toString() {
        return "CachingAllocator[inUse=" + human(bytesInUse) + ", cached=" + human(bytesCached) + ", peak="
                + human(peakBytesInUse) + ", driverAllocations=" + driverAllocations + "]";
    }

    static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < (1L << 20)) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < (1L << 30)) return String.format("%.1f MiB", bytes / (double) (1L << 20));
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
}
