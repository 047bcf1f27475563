package dev.speechmamba.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The typed argument list of one kernel launch, in the kernel's parameter order:
 * {@code KernelArgs.of().ptr(out).ptr(in).i32(n).f32(scale)}.
 *
 * <p>{@link #writeTo(MemorySegment)} lays the arguments out the way cuLaunchKernel's {@code void** kernelParams}
 * wants them: an array of {@code count()} pointers, followed by the values, each at its natural alignment
 * (8 bytes for pointers and 64-bit values, 4 for 32-bit ones). Not thread safe; reuse with {@link #clear()}.
 */
public final class KernelArgs {

    /** The C type of one argument. */
    public enum Kind {
        /** A device pointer ({@code T*}, 8 bytes). */
        PTR(8),
        /** {@code int} / {@code unsigned} (4 bytes). */
        I32(4),
        /** {@code long long} / {@code size_t} (8 bytes). */
        I64(8),
        /** {@code float} (4 bytes). */
        F32(4);

        /** Size and alignment in bytes. */
        public final int bytes;

        Kind(int bytes) {
            this.bytes = bytes;
        }
    }

    private Kind[] kinds = new Kind[8];
    private long[] bits = new long[8];
    private int count;

    private KernelArgs() {
    }

    /** An empty argument list. */
    public static KernelArgs of() {
        return new KernelArgs();
    }

    /** Append a device pointer. */
    public KernelArgs ptr(long devicePointer) {
        return add(Kind.PTR, devicePointer);
    }

    /** Append a 32-bit integer. */
    public KernelArgs i32(int value) {
        return add(Kind.I32, value & 0xFFFF_FFFFL);
    }

    /** Append a 64-bit integer. */
    public KernelArgs i64(long value) {
        return add(Kind.I64, value);
    }

    /** Append a 32-bit float. */
    public KernelArgs f32(float value) {
        return add(Kind.F32, Float.floatToRawIntBits(value) & 0xFFFF_FFFFL);
    }

    /** Drop all arguments so the object can be filled again. */
    public KernelArgs clear() {
        count = 0;
        return this;
    }

    private KernelArgs add(Kind kind, long valueBits) {
        if (count == kinds.length) {
            kinds = Arrays.copyOf(kinds, count * 2);
            bits = Arrays.copyOf(bits, count * 2);
        }
        kinds[count] = kind;
        bits[count] = valueBits;
        count++;
        return this;
    }

    /** Number of arguments. */
    public int count() {
        return count;
    }

    /** The type of argument {@code index}. */
    public Kind kind(int index) {
        return kinds[checkIndex(index)];
    }

    /** Argument {@code index} as a pointer or 64-bit value. */
    public long longValue(int index) {
        checkIndex(index);
        return bits[index];
    }

    /** Argument {@code index} as a 32-bit int (I32) value. */
    public int intValue(int index) {
        checkIndex(index);
        return (int) bits[index];
    }

    /** Argument {@code index} as a float (F32) value. */
    public float floatValue(int index) {
        checkIndex(index);
        return Float.intBitsToFloat((int) bits[index]);
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("kernel argument " + index + " of " + count);
        }
        return index;
    }

    /** Byte offset of argument {@code index}'s value from the start of the laid-out block. */
    public long valueOffset(int index) {
        checkIndex(index);
        long offset = (long) count * Long.BYTES;
        for (int i = 0; i <= index; i++) {
            offset = alignUp(offset, kinds[i].bytes);
            if (i < index) {
                offset += kinds[i].bytes;
            }
        }
        return offset;
    }

    /** Bytes {@link #writeTo(MemorySegment)} needs: pointer array plus aligned values. */
    public long layoutBytes() {
        long offset = (long) count * Long.BYTES;
        for (int i = 0; i < count; i++) {
            offset = alignUp(offset, kinds[i].bytes) + kinds[i].bytes;
        }
        return offset;
    }

    /**
     * Write the pointer array and the values into {@code scratch} (a native segment, 8-byte aligned, at least
     * {@link #layoutBytes()} long) and return the pointer array's address, i.e. {@code kernelParams}.
     */
    public MemorySegment writeTo(MemorySegment scratch) {
        if (!scratch.isNative()) {
            throw new IllegalArgumentException("KernelArgs.writeTo needs a native segment, got a heap segment");
        }
        if (scratch.byteSize() < layoutBytes()) {
            throw new IllegalArgumentException("KernelArgs.writeTo: scratch has " + scratch.byteSize()
                    + " bytes, layout needs " + layoutBytes());
        }
        if (scratch.address() % Long.BYTES != 0) {
            throw new IllegalArgumentException("KernelArgs.writeTo: scratch must be 8-byte aligned");
        }
        long offset = (long) count * Long.BYTES;
        for (int i = 0; i < count; i++) {
            Kind kind = kinds[i];
            offset = alignUp(offset, kind.bytes);
            if (kind.bytes == 8) {
                scratch.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, bits[i]);
            } else {
                scratch.set(ValueLayout.JAVA_INT_UNALIGNED, offset, (int) bits[i]);
            }
            scratch.setAtIndex(ValueLayout.JAVA_LONG, i, scratch.address() + offset);
            offset += kind.bytes;
        }
        return scratch;
    }

    private static long alignUp(long offset, int alignment) {
        return (offset + alignment - 1) & -alignment;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("KernelArgs[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                text.append(", ");
            }
            switch (kinds[i]) {
                case PTR -> text.append("ptr 0x").append(Long.toHexString(bits[i]));
                case I32 -> text.append("i32 ").append((int) bits[i]);
                case I64 -> text.append("i64 ").append(bits[i]);
                case F32 -> text.append("f32 ").append(Float.intBitsToFloat((int) bits[i]));
            }
        }
        return text.append(']').toString();
    }
}
