package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Backends;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** On a machine without a GPU the CUDA backend must report itself unavailable and fail clearly, never crash. */
class CudaBackendAvailabilityTest {

    @Test
    void withoutAGpuCreateFailsWithAClearMessage() {
        boolean available = CudaBackend.isAvailable();
        assertEquals(available, Backends.cudaUsable());
        assumeFalse(available, "a GPU is present; the GPU checks cover this machine");
        IllegalStateException e = assertThrows(IllegalStateException.class, CudaBackend::create);
        assertEquals(true, e.getMessage().contains("no usable GPU"), e.getMessage());
    }
}
