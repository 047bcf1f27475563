package dev.speechmamba.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class KernelArgsTest {

    @Test
    void valuesSitAtNaturalAlignmentAfterThePointerArray() {
        KernelArgs args = KernelArgs.of().ptr(0x7f00_0000_1000L).i32(-3).f32(2.5f).i64(1L << 40).i32(7).ptr(0xABCL);
        assertEquals(6, args.count());
        // 6 pointers = 48 bytes; ptr@48, i32@56, f32@60, i64@64, i32@72, ptr@80 (aligned up from 76)
        assertEquals(48, args.valueOffset(0));
        assertEquals(56, args.valueOffset(1));
        assertEquals(60, args.valueOffset(2));
        assertEquals(64, args.valueOffset(3));
        assertEquals(72, args.valueOffset(4));
        assertEquals(80, args.valueOffset(5));
        assertEquals(88, args.layoutBytes());
    }

    @Test
    void writeToFillsPointersThatPointAtEachValue() {
        KernelArgs args = KernelArgs.of().ptr(0x1234_5678_9ABCL).i32(-3).f32(2.5f).i64(-(1L << 40));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(256, 16);
            MemorySegment params = args.writeTo(scratch);
            assertEquals(scratch.address(), params.address());
            MemorySegment all = MemorySegment.ofAddress(0).reinterpret(Long.MAX_VALUE);
            long[] pointers = new long[4];
            for (int i = 0; i < 4; i++) {
                pointers[i] = params.getAtIndex(JAVA_LONG, i);
                assertEquals(scratch.address() + args.valueOffset(i), pointers[i], "pointer " + i);
            }
            assertEquals(0x1234_5678_9ABCL, all.get(JAVA_LONG, pointers[0]));
            assertEquals(-3, all.get(JAVA_INT, pointers[1]));
            assertEquals(2.5f, all.get(JAVA_FLOAT, pointers[2]));
            assertEquals(-(1L << 40), all.get(JAVA_LONG, pointers[3]));
        }
    }

    @Test
    void accessorsRoundTripAndClearEmpties() {
        KernelArgs args = KernelArgs.of().f32(-0.0f).i32(Integer.MIN_VALUE).i64(Long.MAX_VALUE);
        assertEquals(KernelArgs.Kind.F32, args.kind(0));
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(args.floatValue(0)));
        assertEquals(Integer.MIN_VALUE, args.intValue(1));
        assertEquals(Long.MAX_VALUE, args.longValue(2));
        assertTrue(args.toString().contains("i32 -2147483648"), args.toString());
        args.clear();
        assertEquals(0, args.count());
        assertEquals(0, args.layoutBytes());
    }

    @Test
    void growsBeyondItsInitialCapacity() {
        KernelArgs args = KernelArgs.of();
        for (int i = 0; i < 40; i++) {
            args.i32(i);
        }
        assertEquals(40, args.count());
        assertEquals(39, args.intValue(39));
        assertEquals(40 * 8 + 40 * 4, args.layoutBytes());
    }

    @Test
    void rejectsBadScratchAndIndices() {
        KernelArgs args = KernelArgs.of().ptr(1).i32(2);
        assertThrows(IndexOutOfBoundsException.class, () -> args.kind(2));
        assertThrows(IllegalArgumentException.class, () -> args.writeTo(MemorySegment.ofArray(new long[8])));
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> args.writeTo(arena.allocate(8, 8)));
            assertTrue(small.getMessage().contains("needs " + args.layoutBytes()), small.getMessage());
            assertThrows(IllegalArgumentException.class, () -> args.writeTo(arena.allocate(64, 8).asSlice(4)));
        }
    }
}
