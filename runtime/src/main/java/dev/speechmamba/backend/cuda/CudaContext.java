package dev.speechmamba.backend.cuda;

import dev.speechmamba.cuda.CudaDriver;
import dev.speechmamba.cuda.KernelArgs;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Shape;
import dev.speechmamba.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * Everything one {@link CudaBackend} owns on the device: the driver, a context, one stream that all work
 * is queued on (so caching-allocator reuse needs no events), the loaded kernel modules, the caching
 * allocator and the cuBLAS handle. Launchers get this object and nothing else.
 */
public final class CudaContext implements AutoCloseable {
    /** Static shared memory every kernel may use without opting in. */
    public static final int DEFAULT_SHARED_LIMIT = 48 * 1024;
    private static final int MAX_THREADS_PER_BLOCK = 1024;
    private static final int MAX_GRID_YZ = 65535;

    private final CudaDriver driver;
    private final DeviceHandles handles;
    private final CachingAllocator allocator;
    private final Map<String, Long> modules = new HashMap<>();           // source file -> module
    private final Map<String, Long> functions = new HashMap<>();         // "file:kernel" -> function
    private final Map<Long, Integer> sharedOptIn = new HashMap<>();      // function -> opted-in dynamic smem bytes
    private boolean closed;

    CudaContext(CudaDriver driver, int deviceOrdinal) {
        this.driver = driver;
        this.handles = DeviceHandles.open(driver, deviceOrdinal);
        this.allocator = new CachingAllocator(handles.deviceMemory());
    }

    public CudaDriver driver() { return driver; }

    /** The one stream every kernel, copy and cuBLAS call of this backend is queued on. */
    public long stream() { return handles.stream(); }

    /** The cuBLAS handle bound to {@link #stream()}, created on first use. */
    public dev.speechmamba.cuda.cublas.Cublas cublas() { return handles.cublas().cublas(); }

    DeviceHandles handles() { return handles; }

    public CachingAllocator allocator() { return allocator; }

    /** Device address of {@code t}'s first element (storage base + offset · element size). */
    public long ptr(Tensor t) {
        if (t == null) throw new IllegalArgumentException("cuda: a required tensor is null");
        if (!(t.storage() instanceof DeviceStorage ds)) {
            throw new IllegalArgumentException("cuda: tensor " + t.shape() + " " + t.dtype()
                    + " is not on the GPU (storage " + t.storage().getClass().getSimpleName()
                    + "); create it with the cuda backend's zeros/fromHost");
        }
        if (!ds.belongsTo(allocator)) {
            throw new IllegalArgumentException("cuda: tensor " + t.shape() + " belongs to another CUDA backend instance");
        }
        return ds.pointer() + t.offset() * t.dtype().bytes();
    }

    /** Device address of {@code t}, or 0 (a null pointer the kernels test for) when {@code t} is null. */
    public long ptrOrNull(Tensor t) { return t == null ? 0L : ptr(t); }

    /** A block from the caching allocator; closing it returns it to the cache. */
    public DeviceStorage allocate(long bytes) {
        ensureOpen();
        long pointer = allocator.allocate(bytes);
        return new DeviceStorage(allocator, pointer, bytes);
    }

    /** A zero-filled tensor on this device. */
    public Tensor newTensor(DType dtype, int... dims) {
        Shape shape = Shape.of(dims);
        long bytes = shape.size() * dtype.bytes();
        DeviceStorage storage = allocate(bytes);
        if (bytes > 0) handles.memsetZero(storage.pointer(), bytes);
        return new Tensor(shape, dtype, storage);
    }

    /**
     * Launches {@code kernel} from {@code sourceFile} (e.g. "elementwise.cu") on this context's stream.
     * The module is loaded once and cached. A launch with an empty grid (any grid dimension 0) does
     * nothing, so callers need not special-case empty tensors. Limits are checked here so a wrong
     * configuration fails with the kernel's name instead of CUDA_ERROR_INVALID_VALUE.
     */
    public void launch(String sourceFile, String kernel, int gx, int gy, int gz, int bx, int by, int bz,
                       int sharedBytes, KernelArgs args) {
        ensureOpen();
        if (gx < 0 || gy < 0 || gz < 0) {
            throw new IllegalArgumentException(kernel + ": negative grid (" + gx + ", " + gy + ", " + gz + ")");
        }
        if (gx == 0 || gy == 0 || gz == 0) return;
        if (gy > MAX_GRID_YZ || gz > MAX_GRID_YZ) {
            throw new IllegalArgumentException(kernel + ": grid (" + gx + ", " + gy + ", " + gz
                    + ") exceeds the y/z limit of " + MAX_GRID_YZ);
        }
        long threads = (long) bx * by * bz;
        if (bx <= 0 || by <= 0 || bz <= 0 || threads > MAX_THREADS_PER_BLOCK) {
            throw new IllegalArgumentException(kernel + ": block (" + bx + ", " + by + ", " + bz
                    + ") must have 1 to " + MAX_THREADS_PER_BLOCK + " threads");
        }
        if (sharedBytes < 0) throw new IllegalArgumentException(kernel + ": negative shared memory " + sharedBytes);
        long function = function(sourceFile, kernel);
        if (sharedBytes > DEFAULT_SHARED_LIMIT) optInSharedMemory(function, kernel, sharedBytes);
        handles.launch(function, gx, gy, gz, bx, by, bz, sharedBytes, args);
    }

    /** Shared memory a block may opt in to on this device (227 KiB on H100/H200, 163 KiB on A100). */
    public int maxSharedMemoryPerBlockOptIn() { return handles.maxSharedOptIn(); }

    /** Number of streaming multiprocessors (for grid sizing of grid-stride kernels). */
    public int multiprocessorCount() { return handles.multiprocessors(); }

    /**
     * Blocks for a grid-stride kernel over {@code n} items with {@code threads} per block: enough to cover
     * n, at most 32 per SM (the loop inside the kernel covers the rest), 0 for n == 0 (launch skipped).
     */
    public int gridFor(long n, int threads) {
        if (n <= 0) return 0;
        long needed = (n + threads - 1) / threads;
        return (int) Math.min(needed, 32L * Math.max(1, handles.multiprocessors()));
    }

    private synchronized void optInSharedMemory(long function, String kernel, int sharedBytes) {
        Integer done = sharedOptIn.get(function);
        if (done != null && done >= sharedBytes) return;
        if (sharedBytes > handles.maxSharedOptIn()) {
            throw new IllegalArgumentException(kernel + ": needs " + sharedBytes + " bytes of shared memory, the device allows "
                    + handles.maxSharedOptIn());
        }
        handles.setMaxDynamicShared(function, sharedBytes);
        sharedOptIn.put(function, sharedBytes);
    }

    private synchronized long function(String sourceFile, String kernel) {
        String key = sourceFile + ":" + kernel;
        Long f = functions.get(key);
        if (f != null) return f;
        Long module = modules.get(sourceFile);
        if (module == null) {
            module = handles.loadModule(sourceFile);
            modules.put(sourceFile, module);
        }
        long function = handles.function(module, sourceFile, kernel);
        functions.put(key, function);
        return function;
    }

    /** A copy of an I32 tensor's values (waits for queued work that writes it). */
    public int[] hostInts(Tensor i32) {
        if (i32.dtype() != DType.I32) throw new IllegalArgumentException("cuda: hostInts needs an I32 tensor, got " + i32.dtype());
        int[] out = new int[Math.toIntExact(i32.size())];
        if (out.length > 0) handles.copyToHost(out, ptr(i32));
        return out;
    }

    /** A copy of an F32 tensor's values (waits for queued work that writes it). */
    public float[] hostFloats(Tensor f32) {
        if (f32.dtype() != DType.F32) throw new IllegalArgumentException("cuda: hostFloats needs an F32 tensor, got " + f32.dtype());
        float[] out = new float[Math.toIntExact(f32.size())];
        if (out.length > 0) handles.copyToHost(out, ptr(f32));
        return out;
    }

    /** Waits for all work queued on the stream. */
    public void synchronize() { handles.synchronize(); }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("cuda: backend is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            handles.synchronize();
        } finally {
            allocator.close();
            for (long module : modules.values()) handles.unloadModule(module);
            modules.clear();
            functions.clear();
            handles.close();
        }
    }
}
