package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.cuda.ScanLauncher.ForwardKernel;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scan forward-kernel switch and the v2 launch arithmetic; runs without a GPU. */
class ScanForwardKernelChoiceTest {
    @Test
    void unsetPropertyMeansAutoWhichPicksByStateSize() {
        assertEquals(ForwardKernel.AUTO, ForwardKernel.parse(null));
        assertEquals(ForwardKernel.AUTO, ForwardKernel.parse("auto"));
        assertEquals(ForwardKernel.V1, ScanLauncher.resolve(ForwardKernel.AUTO, 16));
        assertEquals(ForwardKernel.V1, ScanLauncher.resolve(ForwardKernel.AUTO, ScanLauncher.V2_MIN_STATES - 1));
        assertEquals(ForwardKernel.V2, ScanLauncher.resolve(ForwardKernel.AUTO, ScanLauncher.V2_MIN_STATES));
        assertEquals(ForwardKernel.V2, ScanLauncher.resolve(ForwardKernel.AUTO, 256));
        assertEquals(ForwardKernel.V1, ScanLauncher.resolve(ForwardKernel.V1, 256), "an explicit choice is kept");
        assertEquals(ForwardKernel.V2, ScanLauncher.resolve(ForwardKernel.V2, 5), "an explicit choice is kept");
    }

    @Test
    void valuesSelectTheirKernels() {
        assertEquals(ForwardKernel.V1, ForwardKernel.parse("v1"));
        assertEquals(ForwardKernel.V2, ForwardKernel.parse(" v2 "));
        assertEquals("selective_scan_fwd", ForwardKernel.V1.kernelName);
        assertEquals("selective_scan_fwd_v2", ForwardKernel.V2.kernelName);
    }

    @Test
    void badValueNamesThePropertyAndTheAllowedValues() {
        for (String bad : new String[] {"v3", "", "V 2", "fast"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ForwardKernel.parse(bad));
            assertTrue(e.getMessage().contains(ScanLauncher.FORWARD_KERNEL_PROPERTY), e.getMessage());
            assertTrue(e.getMessage().contains("auto, v1, v2"), e.getMessage());
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void propertyIsReadWhenALauncherIsMade() {
        String before = System.getProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY);
        try {
            System.setProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY, "v1");
            assertEquals(ForwardKernel.V1, new ScanLauncher(null).forwardKernel());
            System.setProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY, "nope");
            assertThrows(IllegalArgumentException.class, () -> new ScanLauncher(null));
            System.clearProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY);
            assertEquals(ForwardKernel.AUTO, new ScanLauncher(null).forwardKernel());
        } finally {
            if (before == null) System.clearProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY);
            else System.setProperty(ScanLauncher.FORWARD_KERNEL_PROPERTY, before);
        }
    }

    @Test
    void benchmarkSwitchesTheSameProperty() {
        assertEquals(ScanLauncher.FORWARD_KERNEL_PROPERTY, dev.speechmamba.bench.GpuKernelBench.SCAN_FORWARD_PROPERTY);
    }

    @Test
    void v2SharedMemoryFitsEveryCardAtTheLargestState() {
        // (2 buffers, B and C, 32 steps, N) + 8 warps x (32, 33) partials, in floats
        assertEquals(4 * (4 * 32 * 16 + 8 * 32 * 33), ScanLauncher.sharedBytesV2(16));
        int largest = ScanLauncher.sharedBytesV2(ScanLauncher.MAX_STATE);
        assertEquals(164_864, largest);
        assertTrue(largest <= 166_912, "A100's opt-in limit is 163 KiB; needs " + largest);
        // the chunk-start states are written at tile starts
        assertEquals(0, ScanLauncher.CHUNK % ScanLauncher.V2_STEPS);
    }
}
