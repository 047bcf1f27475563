package dev.speechmamba.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CudaDriversTest {

    @Test
    void unknownDriverNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaDrivers.get("opencl"));
        assertTrue(e.getMessage().contains(CudaDrivers.PROPERTY), e.getMessage());
        assertTrue(e.getMessage().contains("opencl"), e.getMessage());
    }

    @Test
    void gpuProbeNeverThrows() {
        boolean present = CudaDrivers.isGpuPresent();
        assertEquals(present, CudaDrivers.isGpuPresent());
    }

    @Test
    void withoutLibcudaBothDriversFailWithAClearException() {
        Assumptions.assumeFalse(NativeLibrary.isLoadable(FfmCudaDriver.LIBCUDA), "libcuda is present here");
        NativeLibraryException ffm = assertThrows(NativeLibraryException.class, () -> CudaDrivers.get("ffm"));
        assertTrue(ffm.getMessage().contains("libcuda.so.1"), ffm.getMessage());
        NativeLibraryException ffmAgain = assertThrows(NativeLibraryException.class, FfmCudaDriver::new);
        assertTrue(ffmAgain.getMessage().contains("libcuda"), ffmAgain.getMessage());
        NativeLibraryException jcuda = assertThrows(NativeLibraryException.class, () -> CudaDrivers.get("jcuda"));
        assertTrue(jcuda.getMessage().contains("JCuda"), jcuda.getMessage());
        assertTrue(!CudaDrivers.isGpuPresent());
    }

    @Test
    void computeCapabilityNames() {
        ComputeCapability hopper = new ComputeCapability(9, 0);
        assertEquals(90, hopper.code());
        assertEquals("sm_90", hopper.smName());
        assertEquals("compute_90", hopper.computeName());
        assertEquals("8.6", new ComputeCapability(8, 6).toString());
        assertThrows(IllegalArgumentException.class, () -> new ComputeCapability(0, 0));
        assertThrows(IllegalArgumentException.class, () -> Dim3.of(0));
        assertEquals(4, Dim3.ceilDiv(1000, 256));
        assertEquals(0, Dim3.ceilDiv(0, 256));
    }
}
