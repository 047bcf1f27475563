package dev.speechmamba.tensor;

/** Storage in a Java array: float[] for F32, int[] for I32. */
public final class HostStorage implements Storage {
    private final float[] floats;
    private final int[] ints;

    private HostStorage(float[] floats, int[] ints) {
        this.floats = floats;
        this.ints = ints;
    }

    public static HostStorage ofFloats(float[] data) { return new HostStorage(data, null); }

    public static HostStorage ofInts(int[] data) { return new HostStorage(null, data); }

    public float[] floats() {
        if (floats == null) throw new IllegalStateException("storage holds I32 values, not F32");
        return floats;
    }

    public int[] ints() {
        if (ints == null) throw new IllegalStateException("storage holds F32 values, not I32");
        return ints;
    }

    @Override public long byteSize() { return 4L * (floats != null ? floats.length : ints.length); }

    @Override public boolean isHost() { return true; }

    @Override public void close() { }
}
