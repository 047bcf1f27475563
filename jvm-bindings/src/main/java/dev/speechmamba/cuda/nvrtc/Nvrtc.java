package dev.speechmamba.cuda.nvrtc;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.speechmamba.cuda.Downcalls;
import dev.speechmamba.cuda.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * NVRTC through FFM: compile CUDA C++ source to PTX at run time. Headers are passed in memory (name →
 * text), so {@code #include "common.cuh"} resolves without files. Library: libnvrtc.so.13 then .12;
 * SPEECHMAMBA_NVRTC overrides the path.
 */
public final class Nvrtc {

    /** How NVRTC is searched for. */
    public static final NativeLibrary.Spec LIBRARY = new NativeLibrary.Spec("NVRTC", "SPEECHMAMBA_NVRTC",
            List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"));

    /** NVRTC_ERROR_COMPILATION: the source did not compile (see the log). */
    public static final int ERROR_COMPILATION = 6;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "NVRTC_SUCCESS"),
            Map.entry(1, "NVRTC_ERROR_OUT_OF_MEMORY"),
            Map.entry(2, "NVRTC_ERROR_PROGRAM_CREATION_FAILURE"),
            Map.entry(3, "NVRTC_ERROR_INVALID_INPUT"),
            Map.entry(4, "NVRTC_ERROR_INVALID_PROGRAM"),
            Map.entry(5, "NVRTC_ERROR_INVALID_OPTION"),
            Map.entry(6, "NVRTC_ERROR_COMPILATION"),
            Map.entry(7, "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE"),
            Map.entry(8, "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION"),
            Map.entry(9, "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION"),
            Map.entry(10, "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID"),
            Map.entry(11, "NVRTC_ERROR_INTERNAL_ERROR"));

    /** The outcome of a successful compilation. */
    public record Result(String ptx, String log) {
    }

    private static final class Api {
        static final NativeLibrary LIB = NativeLibrary.require(LIBRARY);
        static final MethodHandle version = h("nvrtcVersion", ADDRESS, ADDRESS);
        static final MethodHandle createProgram = h("nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS, ADDRESS);
        static final MethodHandle compileProgram = h("nvrtcCompileProgram", JAVA_LONG, JAVA_INT, ADDRESS);
        static final MethodHandle getProgramLogSize = h("nvrtcGetProgramLogSize", JAVA_LONG, ADDRESS);
        static final MethodHandle getProgramLog = h("nvrtcGetProgramLog", JAVA_LONG, ADDRESS);
        static final MethodHandle getPTXSize = h("nvrtcGetPTXSize", JAVA_LONG, ADDRESS);
        static final MethodHandle getPTX = h("nvrtcGetPTX", JAVA_LONG, ADDRESS);
        static final MethodHandle destroyProgram = h("nvrtcDestroyProgram", ADDRESS);
        static final MethodHandle getErrorString = LIB.downcall("nvrtcGetErrorString",
                FunctionDescriptor.of(ADDRESS, JAVA_INT));

        private static MethodHandle h(String symbol, ValueLayout... args) {
            return LIB.downcall(symbol, FunctionDescriptor.of(JAVA_INT, args));
        }
    }

    private Nvrtc() {
    }

    /** Load the library now; throws naming what was searched when it is missing. */
    public static void ensureLoaded() {
        // NVRTC dlopens its builtins library by name; make that work when NVRTC was found outside the loader path
        NativeLibrary.require(LIBRARY).preloadSiblings("libnvrtc-builtins.so");
        try {
            Api.LIB.location();
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            throw Downcalls.loadFailure("NVRTC", e);
        }
    }

    /** Whether NVRTC can be loaded here. */
    public static boolean isAvailable() {
        return NativeLibrary.isLoadable(LIBRARY);
    }

    /** nvrtcVersion as {major, minor}. */
    public static int[] version() {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment major = arena.allocate(JAVA_INT);
            MemorySegment minor = arena.allocate(JAVA_INT);
            check((int) Api.version.invokeExact(major, minor), "nvrtcVersion", null);
            return new int[] {major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0)};
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    /** nvrtcGetErrorString, falling back to the static table. */
    public static String statusName(int status) {
        try {
            MemorySegment text = (MemorySegment) Api.getErrorString.invokeExact(status);
            if (!text.equals(MemorySegment.NULL)) {
                return text.reinterpret(256).getString(0);
            }
        } catch (Throwable t) {
            // fall back to the table
        }
        String name = NAMES.get(status);
        return name != null ? name : "nvrtcResult(" + status + ")";
    }

    private static void check(int status, String call, String log) {
        if (status != 0) {
            throw new NvrtcException(call, status, statusName(status), log);
        }
    }

    /**
     * Compile {@code source} (named {@code programName} in diagnostics) to PTX.
     *
     * @param headers include name → header text, for {@code #include "name"}
     * @param options e.g. {@code --gpu-architecture=compute_90}, {@code -lineinfo}, {@code -DNAME=1}
     * @throws NvrtcException with the compiler log when compilation fails
     */
    public static Result compile(String source, String programName, Map<String, String> headers, List<String> options) {
        ensureLoaded();
        try (Arena arena = Arena.ofConfined()) {
            List<String> headerNames = new ArrayList<>(headers.keySet());
            MemorySegment headerTexts = arena.allocate(ADDRESS, Math.max(1, headerNames.size()));
            MemorySegment includeNames = arena.allocate(ADDRESS, Math.max(1, headerNames.size()));
            for (int i = 0; i < headerNames.size(); i++) {
                headerTexts.setAtIndex(ADDRESS, i, arena.allocateFrom(headers.get(headerNames.get(i)), StandardCharsets.UTF_8));
                includeNames.setAtIndex(ADDRESS, i, arena.allocateFrom(headerNames.get(i), StandardCharsets.UTF_8));
            }
            MemorySegment programOut = arena.allocate(JAVA_LONG);
            check((int) Api.createProgram.invokeExact(programOut, arena.allocateFrom(source, StandardCharsets.UTF_8),
                    arena.allocateFrom(programName, StandardCharsets.UTF_8), headerNames.size(), headerTexts,
                    includeNames), "nvrtcCreateProgram(" + programName + ")", null);
            long program = programOut.get(JAVA_LONG, 0);
            try {
                MemorySegment optionArray = arena.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    optionArray.setAtIndex(ADDRESS, i, arena.allocateFrom(options.get(i), StandardCharsets.UTF_8));
                }
                int compiled = (int) Api.compileProgram.invokeExact(program, options.size(), optionArray);
                String log = programLog(arena, program);
                check(compiled, "nvrtcCompileProgram(" + programName + ", " + String.join(" ", options) + ")", log);
                MemorySegment sizeOut = arena.allocate(JAVA_LONG);
                check((int) Api.getPTXSize.invokeExact(program, sizeOut), "nvrtcGetPTXSize", null);
                MemorySegment ptx = arena.allocate(sizeOut.get(JAVA_LONG, 0) + 1);
                check((int) Api.getPTX.invokeExact(program, ptx), "nvrtcGetPTX", null);
                return new Result(ptx.getString(0, StandardCharsets.UTF_8), log);
            } finally {
                programOut.set(JAVA_LONG, 0, program);
                int destroyed = (int) Api.destroyProgram.invokeExact(programOut);
                check(destroyed, "nvrtcDestroyProgram", null);
            }
        } catch (Throwable t) {
            throw Downcalls.rethrow(t);
        }
    }

    private static String programLog(Arena arena, long program) throws Throwable {
        MemorySegment sizeOut = arena.allocate(JAVA_LONG);
        check((int) Api.getProgramLogSize.invokeExact(program, sizeOut), "nvrtcGetProgramLogSize", null);
        long size = sizeOut.get(JAVA_LONG, 0);
        if (size <= 1) {
            return "";
        }
        MemorySegment log = arena.allocate(size + 1);
        check((int) Api.getProgramLog.invokeExact(program, log), "nvrtcGetProgramLog", null);
        return log.getString(0, StandardCharsets.UTF_8).strip();
    }
}
