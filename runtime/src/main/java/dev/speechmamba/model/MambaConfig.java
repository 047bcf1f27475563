package dev.speechmamba.model;

/**
 * Sizes of one Mamba mixer (Gu &amp; Dao's Mamba as used by Speech-Mamba).
 *
 * @param dModel     model width d
 * @param dInner     inner width (expand · d)
 * @param dState     state size N per channel
 * @param dtRank     rank of the Δ projection
 * @param convKernel width of the causal depthwise convolution
 */
public record MambaConfig(int dModel, int dInner, int dState, int dtRank, int convKernel) {
    public MambaConfig {
        if (dModel <= 0 || dInner <= 0 || dState <= 0 || dtRank <= 0 || convKernel <= 0) {
            throw new IllegalArgumentException("Mamba sizes must be positive: " + this);
        }
    }

    /** Mamba's defaults: expand 2, dt_rank = ceil(d / 16), conv kernel 4. */
    public static MambaConfig standard(int dModel, int dState) {
        return new MambaConfig(dModel, 2 * dModel, dState, (dModel + 15) / 16, 4);
    }
}
