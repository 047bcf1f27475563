package dev.speechmamba.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GpuKernelBench's group selection (so a GPU run can time only the scan rows). */
class GpuKernelBenchGroupsTest {
    @Test
    void namedGroupsAreKept() {
        assertEquals(List.of("scan"), GpuKernelBench.groups("scan"));
        assertEquals(List.of("attn", "gemm"), GpuKernelBench.groups("attn, gemm"));
        assertEquals(GpuKernelBench.GROUPS, GpuKernelBench.groups(String.join(",", GpuKernelBench.GROUPS)));
    }

    @Test
    void unknownGroupIsAnErrorListingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GpuKernelBench.groups("scan,conv"));
        assertTrue(e.getMessage().contains("'conv'") && e.getMessage().contains("scan, attn, gemm"), e.getMessage());
    }
}
