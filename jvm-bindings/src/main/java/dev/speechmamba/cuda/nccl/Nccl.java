package dev.speechmamba.cuda.nccl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.speechmamba.cuda.Downcalls;
import dev.speechmamba.cuda.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * An NCCL communicator (ncclComm_t) through FFM: version, unique id, rank init, float all-reduce.
 * Library: libnccl.so.2; SPEECHMAMBA_NCCL overrides the path.
 */
public final class Nccl implements AutoCloseable {

    /** How NCCL is searched for. */
    public static final NativeLibrary.Spec LIBRARY = new NativeLibrary.Spec("NCCL", "SPEECHMAMBA_NCCL",
            List.of("libnccl.so.2", "libnccl.so"));

    /** ncclUniqueId: 128 opaque bytes, passed by value to ncclCommInitRank. */
    public static final StructLayout UNIQUE_ID = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(128, JAVA_BYTE).withName("internal"));

    /** ncclDataType_t ncclFloat32. */
    public static final int FLOAT32 = 7;

    /** ncclRedOp_t values. */
    public enum ReduceOp {
        SUM(0), PROD(1), MAX(2), MIN(3), AVG(4);

        public final int code;

        ReduceOp(int code) {
            this.code = code;
        }
    }

    private static final Map<Integer, String> NAMES = Map.of(
            0, "ncclSuccess",
            1, "ncclUnhandledCudaError",
            2, "ncclSystemError",
            3, "ncclInternalError",
            4, "ncclInvalidArgument",
            5, "ncclInvalidUsage",
            6, "ncclRemoteError",
            7, "ncclInProgress");

    private static final class Api {
        static final NativeLibrary LIB = NativeLibrary.require(LIBRARY);
        static final MethodHandle getVersion = h("ncclGetVersion", ADDRESS);
        static final MethodHandle getUniqueId = h("ncclGetUniqueId", ADDRESS);
        static final MethodHandle commInitRank = h("ncclCommInitRank", ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT);
        static final MethodHandle allReduce = h("ncclAllReduce", JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_LONG, JAVA_LONG);
        static final MethodHandle commDestroy = h("ncclCommDestroy", JAVA_LONG);
        static final MethodHandle getErrorString = LIB.downcall("ncclGetErrorString",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MethodHandle h(String symbol, MemoryLayout... args) {
            return LIB.downcall(symbol, FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    private long comm;
    private final int ranks;
    private final int rank;

    private Nccl(long comm, int ranks, int rank) {
        this.comm = comm;
        this.ranks = ranks;
        this.rank = rank;
    }

    /** Load the library now; throws naming what was searched when it is missing. */
    public static void ensureLoaded() {
        NativeLibrary.require(LIBRARY);
        try {
            Api.LIB.location();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("NCCL", e);
        }
    }

    /** ncclGetVersion, e.g. 22805 for 2.28.5. */
    public static int version() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_INT);
            check((int) Api.getVersion.invokeExact(out), "ncclGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** ncclGetUniqueId: 128 bytes to share with every rank (by whatever transport) before {@link #initRank}. */
    public static byte[] uniqueId() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment id = arena.allocate(UNIQUE_ID);
            check((int) Api.getUniqueId.invokeExact(id), "ncclGetUniqueId");
            return id.toArray(JAVA_BYTE);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /**
     * ncclCommInitRank on the current CUDA context's device. With {@code ranks == 1} this is a single-process,
     * single-GPU communicator (all-reduce is then a copy), useful to check the path end to end.
     */
    public static Nccl initRank(int ranks, byte[] uniqueId, int rank) {
        if (uniqueId.length != UNIQUE_ID.byteSize()) {
            throw new IllegalArgumentException("NCCL unique id must be " + UNIQUE_ID.byteSize() + " bytes, got "
                    + uniqueId.length);
        }
        if (ranks < 1 || rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("NCCL rank " + rank + " of " + ranks + " is out of range");
        }
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(JAVA_LONG);
            MemorySegment id = arena.allocate(UNIQUE_ID);
            MemorySegment.copy(MemorySegment.ofArray(uniqueId), 0, id, 0, uniqueId.length);
            check((int) Api.commInitRank.invokeExact(out, ranks, id, rank), "ncclCommInitRank(" + rank + "/" + ranks + ")");
            return new Nccl(out.get(JAVA_LONG, 0), ranks, rank);
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** ncclGetErrorString, falling back to the static table. */
    public static String statusName(int status) {
        try {
            MemorySegment text = (MemorySegment) Api.getErrorString.invokeExact(status);
            if (!text.equals(MemorySegment.NULL)) {
                String description = text.reinterpret(256).getString(0);
                String name = NAMES.get(status);
                return name != null ? name + " (" + description + ")" : description;
            }
        } catch (Throwable t) {
            // fall back to the table
        }
        String name = NAMES.get(status);
        return name != null ? name : "ncclResult_t(" + status + ")";
    }

    private static void check(int status, String call) {
        if (status != 0) {
            throw new NcclException(call, status, statusName(status));
        }
    }

    /** The raw ncclComm_t. */
    public long comm() {
        if (comm == 0) {
            throw new IllegalStateException("NCCL communicator already destroyed");
        }
        return comm;
    }

    public int ranks() {
        return ranks;
    }

    public int rank() {
        return rank;
    }

    /** ncclAllReduce of {@code count} floats (in place when send == recv), enqueued on {@code stream}. */
    public void allReduceFloat(long sendBuffer, long recvBuffer, long count, ReduceOp op, long stream) {
        try {
            check((int) Api.allReduce.invokeExact(sendBuffer, recvBuffer, count, FLOAT32, op.code, comm(), stream),
                    "ncclAllReduce(" + count + " floats, " + op + ")");
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** ncclCommDestroy; idempotent. */
    @Override
    public void close() {
        if (comm != 0) {
            long c = comm;
            comm = 0;
            try {
                check((int) Api.commDestroy.invokeExact(c), "ncclCommDestroy");
            } catch (Throwable t) {
                throw Downcalls.rethrow(t);
            }
        }
    }
}
