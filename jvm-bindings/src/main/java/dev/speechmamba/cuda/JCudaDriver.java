package dev.speechmamba.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;

/**
 * {@link CudaDriver} through JCuda's JNI bindings (org.jcuda:jcuda), kept as a second path to compare
 * against {@link FfmCudaDriver}.
 *
 * <p>JCuda wraps every handle in an object; this class converts to and from the raw {@code long} handle by
 * reading and writing the wrapper's native pointer field, so handles stay interchangeable with the FFM path
 * and with cuBLAS/cuDNN/NCCL. The JIT error log on a failed module load is only reported by the FFM path.
 */
public final class JCudaDriver implements CudaDriver {

    private static final MethodHandle GET_NATIVE_POINTER;
    private static final MethodHandle SET_NATIVE_POINTER;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(NativePointerObject.class, MethodHandles.lookup());
            GET_NATIVE_POINTER = lookup.findGetter(NativePointerObject.class, "nativePointer", long.class);
            SET_NATIVE_POINTER = lookup.findSetter(NativePointerObject.class, "nativePointer", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Creates the driver; throws {@link NativeLibraryException} when JCuda's natives or libcuda cannot load. */
    public JCudaDriver() {
        try {
            jcuda.driver.JCudaDriver.setExceptionsEnabled(false);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new NativeLibraryException("cannot load JCuda's driver natives (libJCudaDriver, needs libcuda.so.1): "
                    + e.getMessage(), e);
        }
    }

    static long address(NativePointerObject handle) {
        try {
            return (long) GET_NATIVE_POINTER.invokeExact(handle);
        } catch (Throwable t) {
            throw new IllegalStateException("cannot read a JCuda handle", t);
        }
    }

    static <T extends NativePointerObject> T wrap(T handle, long address) {
        try {
            SET_NATIVE_POINTER.invokeExact((NativePointerObject) handle, address);
            return handle;
        } catch (Throwable t) {
            throw new IllegalStateException("cannot write a JCuda handle", t);
        }
    }

    private static CUdeviceptr devicePointer(long address) {
        return wrap(new CUdeviceptr(), address);
    }

    private static CUstream stream(long stream) {
        return wrap(new CUstream(), stream);
    }

    private static CUevent event(long event) {
        return wrap(new CUevent(), event);
    }

    private static CUdevice cuDevice(int device) {
        return wrap(new CUdevice(), device);
    }

    private static Pointer hostPointer(MemorySegment segment) {
        return wrap(new Pointer(), segment.address());
    }

    private void check(int result, String call) {
        if (result != 0) {
            throw new CudaException(call, result, errorName(result));
        }
    }

    @Override
    public String implementation() {
        return "jcuda";
    }

    @Override
    public String errorName(int code) {
        String[] name = new String[1];
        try {
            if (jcuda.driver.JCudaDriver.cuGetErrorName(code, name) == 0 && name[0] != null) {
                return name[0];
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            // fall back to the static table below
        }
        return CudaErrors.name(code);
    }

    @Override
    public void init() {
        check(jcuda.driver.JCudaDriver.cuInit(0), "cuInit");
    }

    @Override
    public int driverVersion() {
        int[] out = new int[1];
        check(jcuda.driver.JCudaDriver.cuDriverGetVersion(out), "cuDriverGetVersion");
        return out[0];
    }

    @Override
    public int deviceCount() {
        int[] out = new int[1];
        check(jcuda.driver.JCudaDriver.cuDeviceGetCount(out), "cuDeviceGetCount");
        return out[0];
    }

    @Override
    public int device(int ordinal) {
        CUdevice device = new CUdevice();
        check(jcuda.driver.JCudaDriver.cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        return (int) address(device);
    }

    @Override
    public String deviceName(int device) {
        byte[] name = new byte[256];
        check(jcuda.driver.JCudaDriver.cuDeviceGetName(name, name.length, cuDevice(device)), "cuDeviceGetName");
        int length = 0;
        while (length < name.length && name[length] != 0) {
            length++;
        }
        return new String(name, 0, length, StandardCharsets.UTF_8);
    }

    @Override
    public ComputeCapability computeCapability(int device) {
        return new ComputeCapability(deviceAttribute(device, DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                deviceAttribute(device, DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR));
    }

    @Override
    public long deviceTotalMemory(int device) {
        long[] out = new long[1];
        check(jcuda.driver.JCudaDriver.cuDeviceTotalMem(out, cuDevice(device)), "cuDeviceTotalMem");
        return out[0];
    }

    @Override
    public int deviceAttribute(int device, int attribute) {
        int[] out = new int[1];
        check(jcuda.driver.JCudaDriver.cuDeviceGetAttribute(out, attribute, cuDevice(device)),
                "cuDeviceGetAttribute(" + attribute + ")");
        return out[0];
    }

    @Override
    public long primaryContextRetain(int device) {
        CUcontext context = new CUcontext();
        check(jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice(device)), "cuDevicePrimaryCtxRetain");
        return address(context);
    }

    @Override
    public void primaryContextRelease(int device) {
        check(jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice(device)), "cuDevicePrimaryCtxRelease");
    }

    @Override
    public void contextSetCurrent(long context) {
        check(jcuda.driver.JCudaDriver.cuCtxSetCurrent(wrap(new CUcontext(), context)), "cuCtxSetCurrent");
    }

    @Override
    public long contextGetCurrent() {
        CUcontext context = new CUcontext();
        check(jcuda.driver.JCudaDriver.cuCtxGetCurrent(context), "cuCtxGetCurrent");
        return address(context);
    }

    @Override
    public void contextSynchronize() {
        check(jcuda.driver.JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public MemInfo memGetInfo() {
        long[] free = new long[1];
        long[] total = new long[1];
        check(jcuda.driver.JCudaDriver.cuMemGetInfo(free, total), "cuMemGetInfo");
        return new MemInfo(free[0], total[0]);
    }

    @Override
    public long moduleLoadData(String ptx) {
        Objects.requireNonNull(ptx, "ptx");
        CUmodule module = new CUmodule();
        byte[] text = ptx.getBytes(StandardCharsets.UTF_8);
        byte[] terminated = java.util.Arrays.copyOf(text, text.length + 1);
        check(jcuda.driver.JCudaDriver.cuModuleLoadData(module, terminated), "cuModuleLoadData");
        return address(module);
    }

    @Override
    public void moduleUnload(long module) {
        check(jcuda.driver.JCudaDriver.cuModuleUnload(wrap(new CUmodule(), module)), "cuModuleUnload");
    }

    @Override
    public long moduleGetFunction(long module, String name) {
        CUfunction function = new CUfunction();
        check(jcuda.driver.JCudaDriver.cuModuleGetFunction(function, wrap(new CUmodule(), module), name),
                "cuModuleGetFunction(" + name + ")");
        return address(function);
    }

    @Override
    public void funcSetAttribute(long function, int attribute, int value) {
        check(jcuda.driver.JCudaDriver.cuFuncSetAttribute(wrap(new CUfunction(), function), attribute, value),
                "cuFuncSetAttribute(" + attribute + ", " + value + ")");
    }

    @Override
    public int funcGetAttribute(long function, int attribute) {
        int[] out = new int[1];
        check(jcuda.driver.JCudaDriver.cuFuncGetAttribute(out, attribute, wrap(new CUfunction(), function)),
                "cuFuncGetAttribute(" + attribute + ")");
        return out[0];
    }

    @Override
    public void launchKernel(long function, int gridX, int gridY, int gridZ, int blockX, int blockY, int blockZ,
                             int dynamicSharedBytes, long stream, KernelArgs args) {
        Pointer[] values = new Pointer[args.count()];
        for (int i = 0; i < values.length; i++) {
            values[i] = switch (args.kind(i)) {
                case PTR, I64 -> Pointer.to(new long[] {args.longValue(i)});
                case I32 -> Pointer.to(new int[] {args.intValue(i)});
                case F32 -> Pointer.to(new float[] {args.floatValue(i)});
            };
        }
        int result = jcuda.driver.JCudaDriver.cuLaunchKernel(wrap(new CUfunction(), function), gridX, gridY, gridZ,
                blockX, blockY, blockZ, dynamicSharedBytes, stream(stream), Pointer.to(values), null);
        if (result != 0) {
            throw new CudaException("cuLaunchKernel", result, errorName(result),
                    "grid (" + gridX + ", " + gridY + ", " + gridZ + ") block (" + blockX + ", " + blockY + ", "
                            + blockZ + ") shared " + dynamicSharedBytes + " B, " + args);
        }
    }

    @Override
    public long memAlloc(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memAlloc: bytes must be positive, got " + bytes);
        }
        CUdeviceptr pointer = new CUdeviceptr();
        check(jcuda.driver.JCudaDriver.cuMemAlloc(pointer, bytes), "cuMemAlloc(" + bytes + " B)");
        return address(pointer);
    }

    @Override
    public void memFree(long devicePointer) {
        check(jcuda.driver.JCudaDriver.cuMemFree(devicePointer(devicePointer)), "cuMemFree");
    }

    @Override
    public void memsetD32(long devicePointer, int value, long count) {
        check(jcuda.driver.JCudaDriver.cuMemsetD32(devicePointer(devicePointer), value, count), "cuMemsetD32");
    }

    @Override
    public void memsetD32Async(long devicePointer, int value, long count, long stream) {
        check(jcuda.driver.JCudaDriver.cuMemsetD32Async(devicePointer(devicePointer), value, count, stream(stream)),
                "cuMemsetD32Async");
    }

    @Override
    public void copyHtoD(long dst, MemorySegment src, long bytes) {
        FfmCudaDriver.checkSegment("copyHtoD", src, bytes);
        if (src.isNative()) {
            check(jcuda.driver.JCudaDriver.cuMemcpyHtoD(devicePointer(dst), hostPointer(src), bytes),
                    "cuMemcpyHtoD(" + bytes + " B)");
        } else {
            byte[] staged = src.asSlice(0, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            check(jcuda.driver.JCudaDriver.cuMemcpyHtoD(devicePointer(dst), Pointer.to(staged), bytes),
                    "cuMemcpyHtoD(" + bytes + " B)");
        }
    }

    @Override
    public void copyHtoD(long dst, float[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        check(jcuda.driver.JCudaDriver.cuMemcpyHtoD(devicePointer(dst),
                Pointer.to(src).withByteOffset((long) srcOffset * Float.BYTES), (long) length * Float.BYTES),
                "cuMemcpyHtoD(" + length + " floats)");
    }

    @Override
    public void copyHtoD(long dst, int[] src, int srcOffset, int length) {
        Objects.checkFromIndexSize(srcOffset, length, src.length);
        check(jcuda.driver.JCudaDriver.cuMemcpyHtoD(devicePointer(dst),
                Pointer.to(src).withByteOffset((long) srcOffset * Integer.BYTES), (long) length * Integer.BYTES),
                "cuMemcpyHtoD(" + length + " ints)");
    }

    @Override
    public void copyDtoH(MemorySegment dst, long src, long bytes) {
        FfmCudaDriver.checkSegment("copyDtoH", dst, bytes);
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("copyDtoH: destination segment is read-only");
        }
        if (dst.isNative()) {
            check(jcuda.driver.JCudaDriver.cuMemcpyDtoH(hostPointer(dst), devicePointer(src), bytes),
                    "cuMemcpyDtoH(" + bytes + " B)");
        } else {
            byte[] staged = new byte[Math.toIntExact(bytes)];
            check(jcuda.driver.JCudaDriver.cuMemcpyDtoH(Pointer.to(staged), devicePointer(src), bytes),
                    "cuMemcpyDtoH(" + bytes + " B)");
            MemorySegment.copy(MemorySegment.ofArray(staged), 0, dst, 0, bytes);
        }
    }

    @Override
    public void copyDtoH(float[] dst, int dstOffset, int length, long src) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        check(jcuda.driver.JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Float.BYTES),
                devicePointer(src), (long) length * Float.BYTES), "cuMemcpyDtoH(" + length + " floats)");
    }

    @Override
    public void copyDtoH(int[] dst, int dstOffset, int length, long src) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        check(jcuda.driver.JCudaDriver.cuMemcpyDtoH(Pointer.to(dst).withByteOffset((long) dstOffset * Integer.BYTES),
                devicePointer(src), (long) length * Integer.BYTES), "cuMemcpyDtoH(" + length + " ints)");
    }

    @Override
    public void copyDtoD(long dst, long src, long bytes) {
        check(jcuda.driver.JCudaDriver.cuMemcpyDtoD(devicePointer(dst), devicePointer(src), bytes),
                "cuMemcpyDtoD(" + bytes + " B)");
    }

    @Override
    public void copyHtoDAsync(long dst, MemorySegment src, long bytes, long stream) {
        FfmCudaDriver.checkNativeSegment("copyHtoDAsync", src, bytes);
        check(jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync(devicePointer(dst), hostPointer(src), bytes, stream(stream)),
                "cuMemcpyHtoDAsync(" + bytes + " B)");
    }

    @Override
    public void copyDtoHAsync(MemorySegment dst, long src, long bytes, long stream) {
        FfmCudaDriver.checkNativeSegment("copyDtoHAsync", dst, bytes);
        check(jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync(hostPointer(dst), devicePointer(src), bytes, stream(stream)),
                "cuMemcpyDtoHAsync(" + bytes + " B)");
    }

    @Override
    public void copyDtoDAsync(long dst, long src, long bytes, long stream) {
        check(jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync(devicePointer(dst), devicePointer(src), bytes, stream(stream)),
                "cuMemcpyDtoDAsync(" + bytes + " B)");
    }

    @Override
    public MemorySegment memAllocHost(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("memAllocHost: bytes must be positive, got " + bytes);
        }
        Pointer pinned = new Pointer();
        check(jcuda.driver.JCudaDriver.cuMemAllocHost(pinned, bytes), "cuMemAllocHost(" + bytes + " B)");
        long address = address(pinned);
        if (address == 0 && bytes <= Integer.MAX_VALUE) {
            // JCuda versions that keep the pinned address only in the Pointer's direct buffer
            address = MemorySegment.ofBuffer(pinned.getByteBuffer()).address();
        }
        if (address == 0) {
            throw new IllegalStateException("cuMemAllocHost through JCuda returned no address for " + bytes + " B");
        }
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public void memFreeHost(MemorySegment pinned) {
        check(jcuda.driver.JCudaDriver.cuMemFreeHost(hostPointer(pinned)), "cuMemFreeHost");
    }

    @Override
    public long streamCreate(boolean nonBlocking) {
        CUstream stream = new CUstream();
        check(jcuda.driver.JCudaDriver.cuStreamCreate(stream, nonBlocking ? 1 : 0), "cuStreamCreate");
        return address(stream);
    }

    @Override
    public void streamDestroy(long stream) {
        check(jcuda.driver.JCudaDriver.cuStreamDestroy(stream(stream)), "cuStreamDestroy");
    }

    @Override
    public void streamSynchronize(long stream) {
        check(jcuda.driver.JCudaDriver.cuStreamSynchronize(stream(stream)), "cuStreamSynchronize");
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        check(jcuda.driver.JCudaDriver.cuStreamWaitEvent(stream(stream), event(event), 0), "cuStreamWaitEvent");
    }

    @Override
    public long eventCreate(boolean timing) {
        CUevent event = new CUevent();
        check(jcuda.driver.JCudaDriver.cuEventCreate(event, timing ? 0 : 2), "cuEventCreate");
        return address(event);
    }

    @Override
    public void eventRecord(long event, long stream) {
        check(jcuda.driver.JCudaDriver.cuEventRecord(event(event), stream(stream)), "cuEventRecord");
    }

    @Override
    public void eventSynchronize(long event) {
        check(jcuda.driver.JCudaDriver.cuEventSynchronize(event(event)), "cuEventSynchronize");
    }

    @Override
    public float eventElapsedMillis(long start, long end) {
        float[] out = new float[1];
        check(jcuda.driver.JCudaDriver.cuEventElapsedTime(out, event(start), event(end)), "cuEventElapsedTime");
        return out[0];
    }

    @Override
    public void eventDestroy(long event) {
        check(jcuda.driver.JCudaDriver.cuEventDestroy(event(event)), "cuEventDestroy");
    }

    @Override
    public void streamBeginCapture(long stream, CaptureMode mode) {
        check(jcuda.driver.JCudaDriver.cuStreamBeginCapture(stream(stream), mode.code), "cuStreamBeginCapture");
    }

    @Override
    public long streamEndCapture(long stream) {
        CUgraph graph = new CUgraph();
        check(jcuda.driver.JCudaDriver.cuStreamEndCapture(stream(stream), graph), "cuStreamEndCapture");
        return address(graph);
    }

    @Override
    public long graphInstantiate(long graph) {
        CUgraphExec exec = new CUgraphExec();
        check(jcuda.driver.JCudaDriver.cuGraphInstantiate(exec, wrap(new CUgraph(), graph), 0L), "cuGraphInstantiate");
        return address(exec);
    }

    @Override
    public void graphLaunch(long graphExec, long stream) {
        check(jcuda.driver.JCudaDriver.cuGraphLaunch(wrap(new CUgraphExec(), graphExec), stream(stream)), "cuGraphLaunch");
    }

    @Override
    public void graphExecDestroy(long graphExec) {
        check(jcuda.driver.JCudaDriver.cuGraphExecDestroy(wrap(new CUgraphExec(), graphExec)), "cuGraphExecDestroy");
    }

    @Override
    public void graphDestroy(long graph) {
        check(jcuda.driver.JCudaDriver.cuGraphDestroy(wrap(new CUgraph(), graph)), "cuGraphDestroy");
    }
}
