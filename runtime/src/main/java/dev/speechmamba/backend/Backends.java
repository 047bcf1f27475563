package dev.speechmamba.backend;

import dev.speechmamba.backend.reference.ReferenceBackend;

import java.util.List;
import java.util.Locale;

/**
 * Chooses a backend by name: "reference", "cpu" (the fast CPU backend) or "cuda";
 * "auto" picks cuda when a GPU is usable, else cpu. The system property
 * {@code speechmamba.backend} overrides "auto".
 */
public final class Backends {
    private Backends() { }

    public static final String PROPERTY = "speechmamba.backend";

    public static List<String> names() { return List.of("reference", "cpu", "cuda", "auto"); }

    public static Backend create(String name) {
        String n = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        if (n.equals("auto")) n = System.getProperty(PROPERTY, cudaUsable() ? "cuda" : "cpu");
        return switch (n) {
            case "reference" -> new ReferenceBackend();
            case "cpu" -> new dev.speechmamba.backend.fastcpu.FastCpuBackend();
            case "cuda" -> dev.speechmamba.backend.cuda.CudaBackend.create();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose one of " + names());
        };
    }

    /** True when a CUDA driver and at least one device can be opened here. */
    public static boolean cudaUsable() {
        try {
            return dev.speechmamba.backend.cuda.CudaBackend.isAvailable();
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }
}
