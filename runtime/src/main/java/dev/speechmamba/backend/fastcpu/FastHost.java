package dev.speechmamba.backend.fastcpu;

import dev.speechmamba.backend.Checks;
import dev.speechmamba.tensor.HostStorage;
import dev.speechmamba.tensor.HostTensors;
import dev.speechmamba.tensor.Tensor;

/** Access to the host arrays behind the fast backend's tensors, honouring each view's element offset. */
final class FastHost {
    private FastHost() { }

    static HostStorage storage(String op, Tensor t) { return HostTensors.storage(op, t); }

    static float[] floats(String op, Tensor t) { return storage(op, t).floats(); }

    static int[] ints(String op, Tensor t) { return storage(op, t).ints(); }

    static int off(Tensor t) { return Math.toIntExact(t.offset()); }

    static int size(Tensor t) { return Math.toIntExact(t.size()); }

    /** A copy of an I32 tensor's values (lengths, ids, targets), for checks and indexing. */
    static int[] intsCopy(String op, Tensor t) {
        if (t == null) return null;
        Checks.i32(op, "int tensor", t);
        return HostTensors.intsCopy(op, t);
    }
}
