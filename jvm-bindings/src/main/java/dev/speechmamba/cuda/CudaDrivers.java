package dev.speechmamba.cuda;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Picks the {@link CudaDriver} implementation: system property {@value #PROPERTY} = {@code ffm} (default) or
 * {@code jcuda}. Drivers are stateless wrappers, so one instance per kind is shared.
 */
public final class CudaDrivers {

    /** System property that selects the implementation. */
    public static final String PROPERTY = "speechmamba.cuda.driver";

    private static final ConcurrentMap<String, CudaDriver> DRIVERS = new ConcurrentHashMap<>();
    private static volatile Boolean gpuPresent;

    private CudaDrivers() {
    }

    /** The driver the system property selects, initialized (cuInit done). */
    public static CudaDriver get() {
        return get(System.getProperty(PROPERTY, "ffm"));
    }

    /** The named driver ({@code ffm} or {@code jcuda}), initialized (cuInit done). */
    public static CudaDriver get(String name) {
        String key = name.strip().toLowerCase(Locale.ROOT);
        return DRIVERS.computeIfAbsent(key, CudaDrivers::create);
    }

    private static CudaDriver create(String key) {
        CudaDriver driver = switch (key) {
            case "ffm" -> new FfmCudaDriver();
            case "jcuda" -> new JCudaDriver();
            default -> throw new IllegalArgumentException(
                    PROPERTY + " must be 'ffm' or 'jcuda', got '" + key + "'");
        };
        driver.init();
        return driver;
    }

    /**
     * Whether a usable GPU is present: libcuda loads, cuInit succeeds and at least one device exists.
     * Never throws and never crashes the JVM when libcuda is missing (the library is probed before any call).
     */
    public static boolean isGpuPresent() {
        Boolean present = gpuPresent;
        if (present == null) {
            present = probe();
            gpuPresent = present;
        }
        return present;
    }

    private static boolean probe() {
        if (!NativeLibrary.isLoadable(FfmCudaDriver.LIBCUDA)) {
            return false;
        }
        try {
            return get("ffm").deviceCount() > 0;
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
