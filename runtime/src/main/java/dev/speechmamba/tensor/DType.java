package dev.speechmamba.tensor;

/** Element types. F32 is the compute type everywhere; BF16 is reserved for GPU weights and activations. */
public enum DType {
    F32(4), BF16(2), I32(4);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    public int bytes() { return bytes; }
}
