package dev.speechmamba.data;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line carriage-return progress bar for stderr, redrawn at most a few times per second. */
public final class ProgressBar {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 200_000_000L;
    private final PrintStream out;
    private final String label;
    private final double total;
    private final String unit;
    private final long start = System.nanoTime();
    private long lastDraw;

    public ProgressBar(PrintStream out, String label, double total, String unit) {
        if (!(total > 0)) throw new IllegalArgumentException("progress total must be positive, got " + total);
        this.out = out;
        this.label = label;
        this.total = total;
        this.unit = unit;
    }

    /** Redraws with {@code done} of {@code total} and a free-form note; throttled unless {@code force}. */
    public synchronized void update(double done, String note, boolean force) {
        if (out == null) return;
        long now = System.nanoTime();
        if (!force && now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        double fraction = Math.max(0, Math.min(1, done / total));
        int filled = (int) Math.round(fraction * WIDTH);
        double elapsed = (now - start) / 1e9;
        String eta = fraction > 0.001 ? formatSeconds(elapsed * (1 - fraction) / fraction) : "?";
        out.print(String.format(Locale.ROOT, "\r%s [%s%s] %5.1f%% %.2f/%.2f %s  %s  elapsed %s  eta %s   ", label,
                "#".repeat(filled), ".".repeat(WIDTH - filled), 100 * fraction, done, total, unit, note,
                formatSeconds(elapsed), eta));
        out.flush();
    }

    public synchronized void finish() {
        if (out == null) return;
        out.println();
        out.flush();
    }

    static String formatSeconds(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, t / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60);
    }
}
