package dev.speechmamba.model;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * What a stack of causal blocks remembers of the tokens consumed so far, for {@code rows} hypotheses: every Mamba
 * sublayer's conv window and scan state, every causal self-attention's keys and values. All rows have consumed the
 * same number of tokens (beam search extends every hypothesis by one token per step). The ASR decoder
 * ({@link AsrModel#startDecoding}) and the neural LM ({@link NeuralLm#start}) keep theirs in one. Owns its device
 * tensors: close it.
 */
public final class DecoderState implements AutoCloseable {
    private final TensorArena arena;
    private final int rows;
    private final List<SequenceBlock.StepState> blocks;
    private int position;

    private DecoderState(TensorArena arena, int rows, List<SequenceBlock.StepState> blocks, int position) {
        this.arena = arena;
        this.rows = rows;
        this.blocks = blocks;
        this.position = position;
    }

    /** The state of {@code stack} before any token. */
    static DecoderState start(Backend backend, List<SequenceBlock> stack, int rows) {
        if (rows < 1) throw new IllegalArgumentException("decoder state: rows must be >= 1, got " + rows);
        TensorArena arena = new TensorArena(backend);
        List<SequenceBlock.StepState> states = new ArrayList<>();
        for (SequenceBlock block : stack) states.add(block.newStepState(arena, rows));
        return new DecoderState(arena, rows, states, 0);
    }

    /** A new state holding rows {@code parents} of this one, in that order; this one stays open. */
    public DecoderState selectRows(int[] parents) {
        if (parents.length < 1) throw new IllegalArgumentException("decoder state: select at least one row");
        for (int p : parents) {
            if (p < 0 || p >= rows) throw new IllegalArgumentException("decoder state: row " + p + " outside [0, " + rows + ")");
        }
        TensorArena next = new TensorArena(arena.backend());
        Tensor ids = next.ints(parents, parents.length);
        List<SequenceBlock.StepState> states = new ArrayList<>();
        for (SequenceBlock.StepState s : blocks) states.add(s == null ? null : s.selectRows(next, ids));
        return new DecoderState(next, parents.length, states, position);
    }

    /**
     * Runs {@code stack} (the one this state was started for) one position on: x (rows, 1, d) → (rows, 1, d).
     */
    Tensor step(TensorArena arena, List<SequenceBlock> stack, Tensor x, SequenceBlock.Context ctx) {
        Tensor h = x;
        for (int i = 0; i < stack.size(); i++) h = stack.get(i).step(arena, h, ctx, blocks.get(i));
        position++;
        return h;
    }

    public int rows() { return rows; }

    /** Tokens consumed per row ({@code <sos>} included). */
    public int position() { return position; }

    @Override public void close() { arena.close(); }
}
