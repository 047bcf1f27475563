package dev.speechmamba.backend;

import dev.speechmamba.tensor.Tensor;

/**
 * Gradient outputs of the selective scan, shaped like the matching {@link ScanInputs} field.
 * Each is accumulated into (+=); any may be null when that gradient is not needed
 * (dz, dSkip and dDeltaBias must be null when the input itself is null).
 */
public record ScanGrads(Tensor du, Tensor dDelta, Tensor dA, Tensor dB, Tensor dC, Tensor dSkip, Tensor dz,
                        Tensor dDeltaBias) {
}
