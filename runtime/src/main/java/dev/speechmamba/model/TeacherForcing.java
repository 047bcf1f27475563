package dev.speechmamba.model;

import java.util.Arrays;
import java.util.List;

/**
 * The batch layout an autoregressive decoder trains on: row r reads &lt;sos&gt;+y<sub>r</sub> and predicts
 * y<sub>r</sub>+&lt;eos&gt;, both padded to the longest row plus one; padded targets are {@link AsrModel#IGNORE}.
 * The ASR decoder and the neural LM share it (each checks its own id range first).
 *
 * @param in      (B, L) input ids, row-major, padded with &lt;sos&gt;
 * @param out     (B, L) target ids, row-major, padded with {@link AsrModel#IGNORE}
 * @param lengths (B) positions each row uses: its length + 1
 * @param len     L, the longest row + 1
 * @param targets positions that are scored, over all rows
 */
record TeacherForcing(int[] in, int[] out, int[] lengths, int len, int targets) {

    static TeacherForcing of(List<int[]> rows, int sosEos) {
        int b = rows.size(), longest = 0;
        for (int[] y : rows) longest = Math.max(longest, y.length);
        int len = longest + 1, targets = 0;
        int[] in = new int[b * len], out = new int[b * len], lengths = new int[b];
        Arrays.fill(in, sosEos);
        Arrays.fill(out, AsrModel.IGNORE);
        for (int r = 0; r < b; r++) {
            int[] y = rows.get(r);
            System.arraycopy(y, 0, in, r * len + 1, y.length);
            System.arraycopy(y, 0, out, r * len, y.length);
            out[r * len + y.length] = sosEos;
            lengths[r] = y.length + 1;
            targets += y.length + 1;
        }
        return new TeacherForcing(in, out, lengths, len, targets);
    }
}
