package dev.speechmamba.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;

/**
 * Finds a shared library and makes FFM downcall handles into it; the one place where this project's
 * bindings touch {@link Linker}.
 *
 * <p>Search order: an environment variable naming the file (when set, nothing else is tried, so a wrong
 * value fails loudly instead of silently picking another copy), then each file name through the dynamic
 * loader's default path (LD_LIBRARY_PATH, ld.so.cache), then each file name in the CUDA install folders
 * ({@code /usr/local/cuda*}/targets/x86_64-linux/lib, {@code /usr/local/cuda/lib64}, {@code /usr/lib/x86_64-linux-gnu}).
 * Libraries stay loaded for the life of the JVM.
 */
public final class NativeLibrary {

    /** What to look for: a display name for messages, the override variable and file names in preference order. */
    public record Spec(String displayName, String overrideVariable, List<String> fileNames) {
        public Spec {
            if (fileNames.isEmpty()) {
                throw new IllegalArgumentException("library spec " + displayName + " needs at least one file name");
            }
            fileNames = List.copyOf(fileNames);
        }
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private final Spec spec;
    private final String location;
    private final SymbolLookup lookup;

    private NativeLibrary(Spec spec, String location, SymbolLookup lookup) {
        this.spec = spec;
        this.location = location;
        this.lookup = lookup;
    }

    /** Outcome of the first {@link #require} per spec: a NativeLibrary or the NativeLibraryException. */
    private static final ConcurrentMap<Spec, Object> REQUIRED = new ConcurrentHashMap<>();

    /** Load with the process environment. */
    public static NativeLibrary load(Spec spec) {
        return load(spec, System::getenv);
    }

    /**
     * Load once per JVM and remember the outcome: later calls return the same library, or throw a new
     * exception carrying the first failure's message (so every caller learns what was searched).
     */
    public static NativeLibrary require(Spec spec) {
        Object outcome = REQUIRED.computeIfAbsent(spec, key -> {
            try {
                return load(key);
            } catch (NativeLibraryException e) {
                return e;
            }
        });
        if (outcome instanceof NativeLibrary library) {
            return library;
        }
        NativeLibraryException first = (NativeLibraryException) outcome;
        throw new NativeLibraryException(first.getMessage(), first);
    }

    /** Load, reading the override variable through {@code environment} (tests pass a map). */
    public static NativeLibrary load(Spec spec, Function<String, String> environment) {
        String override = spec.overrideVariable() == null ? null : environment.apply(spec.overrideVariable());
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isRegularFile(path)) {
                throw new NativeLibraryException("cannot load " + spec.displayName() + ": " + spec.overrideVariable()
                        + "=" + override + " is not an existing file");
            }
            if (!isElf(path)) {
                throw new NativeLibraryException("cannot load " + spec.displayName() + ": " + spec.overrideVariable()
                        + "=" + override + " is not a shared library (no ELF header)");
            }
            try {
                return new NativeLibrary(spec, path.toString(), SymbolLookup.libraryLookup(path, Arena.global()));
            } catch (IllegalArgumentException e) {
                throw new NativeLibraryException("cannot load " + spec.displayName() + " from " + spec.overrideVariable()
                        + "=" + override + ": " + e.getMessage(), e);
            }
        }
        List<String> tried = new ArrayList<>();
        for (String fileName : spec.fileNames()) {
            tried.add(fileName + " (default loader path)");
            try {
                return new NativeLibrary(spec, fileName, SymbolLookup.libraryLookup(fileName, Arena.global()));
            } catch (IllegalArgumentException notOnDefaultPath) {
                // fall through to the CUDA install folders
            }
        }
        for (Path dir : cudaLibraryDirectories()) {
            for (String fileName : spec.fileNames()) {
                Path candidate = dir.resolve(fileName);
                tried.add(candidate.toString());
                if (Files.isRegularFile(candidate)) {
                    try {
                        return new NativeLibrary(spec, candidate.toString(),
                                SymbolLookup.libraryLookup(candidate, Arena.global()));
                    } catch (IllegalArgumentException e) {
                        throw new NativeLibraryException("cannot load " + spec.displayName() + " from " + candidate
                                + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        throw new NativeLibraryException("cannot find " + spec.displayName() + " (" + String.join(" or ", spec.fileNames())
                + ")" + (spec.overrideVariable() == null ? "" : "; set " + spec.overrideVariable() + " to its path")
                + "; searched: " + String.join(", ", tried));
    }

    private static boolean isElf(Path path) {
        try (var in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the library can be loaded, without throwing (the outcome is remembered, see {@link #require}). */
    public static boolean isLoadable(Spec spec) {
        try {
            require(spec);
            return true;
        } catch (NativeLibraryException e) {
            return false;
        }
    }

    /** Folders searched after the default loader path, existing ones only, newest CUDA first. */
    public static List<Path> cudaLibraryDirectories() {
        List<Path> dirs = new ArrayList<>();
        Path local = Path.of("/usr/local");
        if (Files.isDirectory(local)) {
            List<Path> cudaRoots = new ArrayList<>();
            try (DirectoryStream<Path> roots = Files.newDirectoryStream(local, "cuda*")) {
                roots.forEach(cudaRoots::add);
            } catch (IOException e) {
                // an unreadable /usr/local just means no CUDA folders there
            }
            cudaRoots.sort((a, b) -> b.getFileName().toString().compareTo(a.getFileName().toString()));
            for (Path root : cudaRoots) {
                dirs.add(root.resolve("targets/x86_64-linux/lib"));
                dirs.add(root.resolve("lib64"));
            }
        }
        dirs.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        return dirs.stream().filter(Files::isDirectory).distinct().toList();
    }

    /**
     * Load the files in this library's folder whose names start with {@code filePrefix} (e.g. NVRTC's
     * {@code libnvrtc-builtins.so.13.0}), so that the library's own dlopen of them by name succeeds even when
     * the folder is not on the loader path: an already loaded object matches by its soname. Does nothing when
     * the library came from the default loader path. Best effort: unloadable files are skipped.
     */
    public void preloadSiblings(String filePrefix) {
        Path self = Path.of(location);
        Path dir = self.getParent();
        if (!self.isAbsolute() || dir == null) {
            return;
        }
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, filePrefix + "*")) {
            for (Path sibling : siblings) {
                if (Files.isRegularFile(sibling) && isElf(sibling)) {
                    try {
                        SymbolLookup.libraryLookup(sibling, Arena.global());
                    } catch (IllegalArgumentException e) {
                        // a sibling that does not load is left to the library's own error reporting
                    }
                }
            }
        } catch (IOException e) {
            // an unreadable folder leaves the library to find its helpers itself
        }
    }

    /** The display name, e.g. "cuBLAS". */
    public String displayName() {
        return spec.displayName();
    }

    /** Where it was loaded from (file name for the default loader path, else the full path). */
    public String location() {
        return location;
    }

    /** A downcall handle for {@code symbol}; throws naming the symbol and library when it is missing. */
    public MethodHandle downcall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        return optionalDowncall(symbol, descriptor, options).orElseThrow(() -> new NativeLibraryException(
                "symbol " + symbol + " not found in " + spec.displayName() + " (" + location + ")"));
    }

    /** A downcall handle for {@code symbol}, or empty when this version of the library lacks it. */
    public Optional<MethodHandle> optionalDowncall(String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
        return lookup.find(symbol).map(address -> LINKER.downcallHandle(address, descriptor, options));
    }

    /** The address of {@code symbol}, if present. */
    public Optional<MemorySegment> find(String symbol) {
        return lookup.find(symbol);
    }

    @Override
    public String toString() {
        return spec.displayName() + " (" + location + ")";
    }
}
