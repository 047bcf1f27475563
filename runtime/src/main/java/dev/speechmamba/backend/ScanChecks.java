package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/** Argument checks of the selective scan, shared by every backend (see {@link ScanInputs} for the shapes). */
public final class ScanChecks {
    private ScanChecks() { }

    /**
     * Sizes of a checked scan call.
     *
     * @param lengths the valid time steps per row as read from the host, or null when the inputs have none
     */
    public record Dims(int batch, int time, int channels, int states, int[] lengths) { }

    /**
     * Checks u (B, T, D), a (D, N), delta (B, T, D), b and c (B, T, N), the optional dSkip and deltaBias (D) and
     * z (B, T, D), all F32, and the optional lengths (B) I32 with each in [0, T].
     */
    public static Dims inputs(String op, ScanInputs in, HostInts hostInts) {
        Checks.notNull(op, "inputs", in);
        Checks.f32(op, "u", in.u());
        Checks.shape(op, "u", in.u(), Checks.ANY, Checks.ANY, Checks.ANY);
        int batch = in.u().dim(0), time = in.u().dim(1), channels = in.u().dim(2);
        Checks.f32(op, "a", in.a());
        Checks.shape(op, "a", in.a(), channels, Checks.ANY);
        int states = in.a().dim(1);
        Checks.f32(op, "delta", in.delta());
        Checks.shape(op, "delta", in.delta(), batch, time, channels);
        Checks.f32(op, "b", in.b());
        Checks.shape(op, "b", in.b(), batch, time, states);
        Checks.f32(op, "c", in.c());
        Checks.shape(op, "c", in.c(), batch, time, states);
        if (in.dSkip() != null) {
            Checks.f32(op, "dSkip", in.dSkip());
            Checks.shape(op, "dSkip", in.dSkip(), channels);
        }
        if (in.z() != null) {
            Checks.f32(op, "z", in.z());
            Checks.shape(op, "z", in.z(), batch, time, channels);
        }
        if (in.deltaBias() != null) {
            Checks.f32(op, "deltaBias", in.deltaBias());
            Checks.shape(op, "deltaBias", in.deltaBias(), channels);
        }
        int[] lengths = null;
        if (in.lengths() != null) {
            Checks.i32(op, "lengths", in.lengths());
            Checks.shape(op, "lengths", in.lengths(), batch);
            lengths = hostInts.read(in.lengths());
            Checks.lengths(op, "lengths", lengths, time);
        }
        return new Dims(batch, time, channels, states, lengths);
    }

    /** Checks out: (B, T, D) F32 like u. */
    public static void output(String op, Tensor out, ScanInputs in) {
        Checks.f32(op, "out", out);
        Checks.sameShape(op, "out", out, "u", in.u());
    }

    /**
     * Checks one step of the scan: the inputs as for the scan with T = 1 and no lengths, out (B, 1, D) like u,
     * and state (B, D, N) F32.
     */
    public static Dims step(String op, Tensor out, Tensor state, ScanInputs in, HostInts hostInts) {
        Dims dims = inputs(op, in, hostInts);
        if (dims.time() != 1) throw Checks.error(op, "u " + in.u().shape() + " must hold one time step (B, 1, D)");
        if (in.lengths() != null) throw Checks.error(op, "one step takes no lengths (every row steps)");
        output(op, out, in);
        Checks.f32(op, "state", state);
        Checks.shape(op, "state", state, dims.batch(), dims.channels(), dims.states());
        return dims;
    }

    /**
     * Checks dOut like u, that each non-null gradient is F32 and shaped like its input, and that absent
     * inputs have no gradient.
     */
    public static void grads(String op, ScanGrads g, Tensor dOut, ScanInputs in) {
        Checks.notNull(op, "grads", g);
        Checks.f32(op, "dOut", dOut);
        Checks.sameShape(op, "dOut", dOut, "u", in.u());
        gradLike(op, "du", g.du(), "u", in.u());
        gradLike(op, "dDelta", g.dDelta(), "delta", in.delta());
        gradLike(op, "dA", g.dA(), "a", in.a());
        gradLike(op, "dB", g.dB(), "b", in.b());
        gradLike(op, "dC", g.dC(), "c", in.c());
        gradLike(op, "dSkip gradient", g.dSkip(), "dSkip", in.dSkip());
        gradLike(op, "dz", g.dz(), "z", in.z());
        gradLike(op, "dDeltaBias", g.dDeltaBias(), "deltaBias", in.deltaBias());
    }

    private static void gradLike(String op, String gradName, Tensor grad, String inputName, Tensor input) {
        if (grad == null) return;
        if (input == null) throw Checks.error(op, gradName + " is given but input " + inputName + " is null");
        Checks.gradLike(op, gradName, grad, inputName, input);
    }
}
