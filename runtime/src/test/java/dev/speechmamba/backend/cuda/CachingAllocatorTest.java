package dev.speechmamba.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The caching allocator against a fake device with a fixed capacity (no GPU needed). */
class CachingAllocatorTest {

    /** A device of {@code capacity} bytes handing out increasing fake addresses. */
    static final class FakeDevice implements CachingAllocator.DeviceMemory {
        static final class OutOfMemory extends RuntimeException {
            OutOfMemory(long bytes) { super("fake OOM for " + bytes); }
        }

        final long capacity;
        long used;
        long next = 0x1000;
        int allocations;
        int frees;
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();

        FakeDevice(long capacity) { this.capacity = capacity; }

        @Override public long allocate(long bytes) {
            if (used + bytes > capacity) throw new OutOfMemory(bytes);
            used += bytes;
            allocations++;
            long p = next;
            next += bytes + 256;
            live.put(p, bytes);
            return p;
        }

        @Override public void free(long pointer) {
            Long bytes = live.remove(pointer);
            if (bytes == null) throw new AssertionError("double or foreign free of " + pointer);
            used -= bytes;
            frees++;
        }

        @Override public boolean isOutOfMemory(RuntimeException error) { return error instanceof OutOfMemory; }
    }

    @Test
    void sizeClassesRoundSmallTo512AndLargeTo2MiB() {
        assertEquals(512, CachingAllocator.sizeClass(0));
        assertEquals(512, CachingAllocator.sizeClass(1));
        assertEquals(1024, CachingAllocator.sizeClass(513));
        assertEquals(1L << 20, CachingAllocator.sizeClass(1L << 20));
        assertEquals(2L << 20, CachingAllocator.sizeClass((1L << 20) + 1));
        assertEquals(4L << 20, CachingAllocator.sizeClass((2L << 20) + 1));
        assertThrows(IllegalArgumentException.class, () -> CachingAllocator.sizeClass(-1));
    }

    @Test
    void releasedBlocksAreReusedWithoutTheDriver() {
        FakeDevice device = new FakeDevice(1L << 30);
        CachingAllocator allocator = new CachingAllocator(device);
        // a "training step" allocating the same sizes three times
        long[] sizes = {1000, 4096, 3L << 20, 100, 1000};
        for (int step = 0; step < 3; step++) {
            long[] blocks = new long[sizes.length];
            for (int i = 0; i < sizes.length; i++) blocks[i] = allocator.allocate(sizes[i]);
            Set<Long> distinct = new HashSet<>();
            for (long b : blocks) distinct.add(b);
            assertEquals(sizes.length, distinct.size(), "live blocks must not overlap");
            for (long b : blocks) allocator.release(b);
        }
        assertEquals(sizes.length, device.allocations, "only the first step reaches the driver");
        assertEquals(0, allocator.bytesInUse());
        long expectedCached = 1024 + 4096 + (4L << 20) + 512 + 1024;
        assertEquals(expectedCached, allocator.bytesCached());
        assertEquals(expectedCached, allocator.peakBytesInUse());
    }

    @Test
    void tracksInUseCachedAndPeak() {
        CachingAllocator allocator = new CachingAllocator(new FakeDevice(1L << 30));
        long a = allocator.allocate(600);    // class 1024
        long b = allocator.allocate(2000);   // class 2048
        assertEquals(3072, allocator.bytesInUse());
        allocator.release(a);
        assertEquals(2048, allocator.bytesInUse());
        assertEquals(1024, allocator.bytesCached());
        long c = allocator.allocate(700);    // reuses a's block
        assertEquals(a, c);
        assertEquals(0, allocator.bytesCached());
        assertEquals(3072, allocator.peakBytesInUse());
        allocator.release(b);
        allocator.release(c);
        assertEquals(2, allocator.driverAllocations());
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetries() {
        FakeDevice device = new FakeDevice(8L << 20);
        CachingAllocator allocator = new CachingAllocator(device);
        long big = allocator.allocate(6L << 20);
        allocator.release(big);                  // 6 MiB cached, device full
        long other = allocator.allocate(4L << 20); // different class: needs the cache freed first
        assertNotEquals(0, other);
        assertEquals(1, device.frees);
        assertEquals(0, allocator.bytesCached());
        assertEquals(4L << 20, allocator.bytesInUse());
    }

    @Test
    void outOfMemoryAfterRetryNamesTheRequestAndState() {
        CachingAllocator allocator = new CachingAllocator(new FakeDevice(8L << 20));
        long live = allocator.allocate(6L << 20);
        long cached = allocator.allocate(1000);
        allocator.release(cached);
        CachingAllocator.DeviceOutOfMemoryException e = assertThrows(CachingAllocator.DeviceOutOfMemoryException.class,
                () -> allocator.allocate(4L << 20));
        String message = e.getMessage();
        assertTrue(message.contains("requested 4.0 MiB"), message);
        assertTrue(message.contains("6.0 MiB in use"), message);
        assertTrue(message.contains("released 1.0 KiB of cached"), message);
        allocator.release(live);
    }

    @Test
    void otherDriverErrorsPassThrough() {
        CachingAllocator allocator = new CachingAllocator(new CachingAllocator.DeviceMemory() {
            @Override public long allocate(long bytes) { throw new IllegalStateException("device lost"); }
            @Override public void free(long pointer) { }
            @Override public boolean isOutOfMemory(RuntimeException error) { return false; }
        });
        assertThrows(IllegalStateException.class, () -> allocator.allocate(10));
    }

    @Test
    void releasingAnUnknownPointerFails() {
        CachingAllocator allocator = new CachingAllocator(new FakeDevice(1L << 20));
        assertThrows(IllegalStateException.class, () -> allocator.release(0xdead));
    }

    @Test
    void deviceStorageCloseIsIdempotentAndReturnsTheBlock() {
        FakeDevice device = new FakeDevice(1L << 20);
        CachingAllocator allocator = new CachingAllocator(device);
        DeviceStorage storage = new DeviceStorage(allocator, allocator.allocate(100), 100);
        storage.close();
        storage.close();
        assertEquals(0, allocator.bytesInUse());
        assertEquals(512, allocator.bytesCached());
        assertThrows(IllegalStateException.class, storage::pointer);
    }

    @Test
    void closeFreesTheCacheAndLaterReleasesGoToTheDriver() {
        FakeDevice device = new FakeDevice(1L << 20);
        CachingAllocator allocator = new CachingAllocator(device);
        long cached = allocator.allocate(100);
        long live = allocator.allocate(5000);
        allocator.release(cached);
        allocator.close();
        assertEquals(1, device.frees);
        allocator.release(live);
        assertEquals(2, device.frees);
        assertEquals(0, device.used);
        assertThrows(IllegalStateException.class, () -> allocator.allocate(1));
    }
}
