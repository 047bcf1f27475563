package dev.speechmamba.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.speechmamba.cuda.cublas.Cublas;
import dev.speechmamba.cuda.cudnn.Cudnn;
import dev.speechmamba.cuda.nccl.Nccl;
import dev.speechmamba.cuda.nvrtc.Nvrtc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeLibraryTest {

    @Test
    void badOverridePathIsNamedInTheError() {
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> NativeLibrary.load(Cublas.LIBRARY, Map.of("SPEECHMAMBA_CUBLAS", "/no/such/libcublas.so.13")::get));
        assertTrue(e.getMessage().contains("SPEECHMAMBA_CUBLAS=/no/such/libcublas.so.13"), e.getMessage());
        assertTrue(e.getMessage().contains("cuBLAS"), e.getMessage());
    }

    @Test
    void overridePointingAtANonLibraryFileFailsNamingIt(@TempDir Path dir) throws IOException {
        Path fake = Files.writeString(dir.resolve("libcublas.so.13"), "not an ELF file");
        NativeLibraryException e = assertThrows(NativeLibraryException.class,
                () -> NativeLibrary.load(Cublas.LIBRARY, Map.of("SPEECHMAMBA_CUBLAS", fake.toString())::get));
        assertTrue(e.getMessage().contains(fake.toString()), e.getMessage());
    }

    @Test
    void missingLibraryListsEveryPlaceSearched() {
        NativeLibrary.Spec spec = new NativeLibrary.Spec("Nonexistent", "SPEECHMAMBA_NONEXISTENT",
                List.of("libspeechmamba-nonexistent.so.7"));
        NativeLibraryException e = assertThrows(NativeLibraryException.class, () -> NativeLibrary.load(spec, name -> null));
        String message = e.getMessage();
        assertTrue(message.contains("cannot find Nonexistent (libspeechmamba-nonexistent.so.7)"), message);
        assertTrue(message.contains("set SPEECHMAMBA_NONEXISTENT"), message);
        assertTrue(message.contains("libspeechmamba-nonexistent.so.7 (default loader path)"), message);
        for (Path dir : NativeLibrary.cudaLibraryDirectories()) {
            assertTrue(message.contains(dir.resolve("libspeechmamba-nonexistent.so.7").toString()), message);
        }
        assertFalse(NativeLibrary.isLoadable(spec));
    }

    @Test
    void loadsASystemLibraryAndCallsIt() throws Throwable {
        NativeLibrary libc = NativeLibrary.load(new NativeLibrary.Spec("C library", null, List.of("libc.so.6")));
        MethodHandle strlen = libc.downcall("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(11L, (long) strlen.invokeExact(arena.allocateFrom("speechmamba")));
        }
        NativeLibraryException missing = assertThrows(NativeLibraryException.class,
                () -> libc.downcall("speechmamba_no_such_symbol", FunctionDescriptor.ofVoid()));
        assertTrue(missing.getMessage().contains("speechmamba_no_such_symbol"), missing.getMessage());
        assertTrue(missing.getMessage().contains("C library (libc.so.6)"), missing.getMessage());
        assertTrue(libc.optionalDowncall("speechmamba_no_such_symbol", FunctionDescriptor.ofVoid()).isEmpty());
    }

    @Test
    void everyCudaLibrarySpecHasAnOverrideAndVersionedNames() {
        for (NativeLibrary.Spec spec : List.of(FfmCudaDriver.LIBCUDA, Cublas.LIBRARY,
                dev.speechmamba.cuda.cublas.CublasLt.LIBRARY, Nvrtc.LIBRARY, Cudnn.LIBRARY, Nccl.LIBRARY)) {
            assertTrue(spec.overrideVariable().startsWith("SPEECHMAMBA_"), spec.toString());
            assertTrue(spec.fileNames().get(0).matches("lib\\w+\\.so\\.\\d+"), spec.toString());
        }
        assertEquals(List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so"), Cublas.LIBRARY.fileNames());
    }

    @Test
    void libraryBindingsFailCleanlyWhereTheLibraryIsMissing() {
        // On this machine without CUDA libraries each binding must say what it looked for, not crash.
        if (!NativeLibrary.isLoadable(Nccl.LIBRARY)) {
            NativeLibraryException e = assertThrows(NativeLibraryException.class, Nccl::version);
            assertTrue(e.getMessage().contains("NCCL"), e.getMessage());
            // a second attempt in the same JVM is still a clear exception
            NativeLibraryException again = assertThrows(NativeLibraryException.class, Nccl::version);
            assertTrue(again.getMessage().contains("NCCL"), again.getMessage());
        }
        if (!NativeLibrary.isLoadable(Cudnn.LIBRARY)) {
            NativeLibraryException e = assertThrows(NativeLibraryException.class, Cudnn::version);
            assertTrue(e.getMessage().contains("libcudnn.so.9"), e.getMessage());
        }
        if (!NativeLibrary.isLoadable(Nvrtc.LIBRARY)) {
            assertFalse(Nvrtc.isAvailable());
            NativeLibraryException e = assertThrows(NativeLibraryException.class, Nvrtc::version);
            assertTrue(e.getMessage().contains("libnvrtc.so.13"), e.getMessage());
        }
    }
}
