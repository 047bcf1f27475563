package dev.speechmamba.backend.cuda;

import dev.speechmamba.backend.Checks;

/** Host-side checks only the CUDA launchers need, worded like the shared checks in {@link Checks}. */
final class DenseChecks {
    private DenseChecks() { }

    /** Elements of a tensor as an int, for kernels that index rows with 32-bit math on one axis. */
    static int intSize(String op, String name, long value) {
        if (value > Integer.MAX_VALUE) throw Checks.error(op, name + " = " + value + " exceeds 2^31 - 1");
        return (int) value;
    }
}
