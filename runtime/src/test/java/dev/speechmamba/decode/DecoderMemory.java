package dev.speechmamba.decode;

import dev.speechmamba.model.AsrModel;
import dev.speechmamba.model.TensorArena;

import java.util.List;

/** Encoder outputs made by hand for the decoder tests. */
final class DecoderMemory {
    private DecoderMemory() { }

    /** {@code mem} (frames, d) copied into each of {@code rows} rows, every row {@code frames} long: (rows, frames, d). */
    static AsrModel.Encoded replicated(TensorArena arena, float[] mem, int frames, int d, int rows) {
        float[] copies = new float[rows * frames * d];
        for (int r = 0; r < rows; r++) System.arraycopy(mem, 0, copies, r * frames * d, mem.length);
        int[] lengths = new int[rows];
        java.util.Arrays.fill(lengths, frames);
        return new AsrModel.Encoded(null, List.of(), null, arena.floats(copies, rows, frames, d), arena.ints(lengths, rows),
                lengths, null);
    }
}
