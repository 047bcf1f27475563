package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Token ids → Embedding·√d + sinusoidal positions, the input of the ASR decoder and of the neural LM, for whole
 * rows (training, rescoring) or one position per row (beam search).
 */
final class TokenEmbedding {
    private final Parameter table;    // (V, d)
    private final int d;

    TokenEmbedding(ParameterSet params, String name, int vocab, int d, SplittableRandom rng) {
        this.table = params.add(name, Init.normal(rng, vocab * d, 1.0), vocab, d);
        this.d = d;
    }

    /** @param ids (B·L) I32 token ids; returns (B, L, d) */
    Tensor forward(TensorArena arena, Tensor ids, int b, int len) {
        Backend be = arena.backend();
        Tensor embedded = arena.zeros(b, len, d);                           // (B, L, d)
        be.embedding(embedded.reshape(b * len, d), ids, table.value());
        be.scale(embedded, (float) Math.sqrt(d));
        Tensor out = arena.zeros(b, len, d);
        be.addBias(out.reshape(b, len * d), embedded.reshape(b, len * d), arena.floats(SinusoidalPositions.table(len, d), len * d));
        return out;
    }

    /** One token per row at {@code position}: (rows) ids → (rows, 1, d). */
    Tensor step(TensorArena arena, int[] tokens, int position) {
        Backend be = arena.backend();
        int rows = tokens.length;
        Tensor embedded = arena.zeros(rows, d);                              // (B, d)
        be.embedding(embedded, arena.ints(tokens, rows), table.value());
        be.scale(embedded, (float) Math.sqrt(d));
        Tensor out = arena.zeros(rows, 1, d);                                // (B, 1, d)
        be.addBias(out.reshape(rows, d), embedded, arena.floats(SinusoidalPositions.row(position, d), d));
        return out;
    }

    /** Accumulates the table's gradient from dOut (B, L, d); scales dOut by √d in place. */
    void backward(Backend be, Tensor dOut, Tensor ids, int rows) {
        be.scale(dOut, (float) Math.sqrt(d));
        be.embeddingBackward(table.grad(), dOut.reshape(rows, d), ids);
    }
}
