package dev.speechmamba.cuda;

/** A device's compute capability, e.g. 9.0 for H100/H200. */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {

    public ComputeCapability {
        if (major <= 0 || minor < 0) {
            throw new IllegalArgumentException("compute capability must be positive, got " + major + "." + minor);
        }
    }

    /** The two-digit form used in architecture names: 90 for 9.0. */
    public int code() {
        return major * 10 + minor;
    }

    /** {@code sm_90}: the folder name of prebuilt PTX. */
    public String smName() {
        return "sm_" + code();
    }

    /** {@code compute_90}: the virtual architecture for NVRTC / PTX JIT. */
    public String computeName() {
        return "compute_" + code();
    }

    @Override
    public int compareTo(ComputeCapability other) {
        return Integer.compare(code(), other.code());
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
