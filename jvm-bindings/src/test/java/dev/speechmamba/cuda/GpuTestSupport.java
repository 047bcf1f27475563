package dev.speechmamba.cuda;

import org.junit.jupiter.api.Assumptions;

/** Shared set-up for tests tagged "gpu": skip cleanly without a GPU, else bind device 0's primary context. */
final class GpuTestSupport {

    private GpuTestSupport() {
    }

    /** The named driver with device 0's primary context current on this thread; skips the test without a GPU. */
    static CudaDriver driverWithContext(String name) {
        Assumptions.assumeTrue(CudaDrivers.isGpuPresent(), "no GPU (libcuda missing or no device)");
        CudaDriver driver = CudaDrivers.get(name);
        int device = driver.device(0);
        long context = driver.primaryContextRetain(device);
        driver.contextSetCurrent(context);
        return driver;
    }

    /** Device 0's compute capability. */
    static ComputeCapability capability(CudaDriver driver) {
        return driver.computeCapability(driver.device(0));
    }
}
