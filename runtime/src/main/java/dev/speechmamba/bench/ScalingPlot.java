package dev.speechmamba.bench;

import java.util.List;
import java.util.Locale;

/**
 * The scaling curves, drawn once through a small {@link Canvas}: time against recording length on
 * log-log axes, encoder time solid and full transcription time dashed, one colour per model, the fitted
 * exponents in the legend, and a slope-1 guide for linear scaling. This class writes the standalone SVG
 * (plain text) and must not reference java.awt or javax.imageio: a JRE without the java.desktop module
 * (a jlink'd runtime on a GPU node) has to link it; {@link ScalingPng} is the Java2D renderer.
 */
final class ScalingPlot {
    private static final String[] COLOURS = {"#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#ff7f0e", "#8c564b"};
    static final int WIDTH = 980, HEIGHT = 560;
    private static final int LEFT = 80, RIGHT = 320, TOP = 50, BOTTOM = 60;

    private ScalingPlot() { }

    /** Drawing primitives in pixel coordinates (y down); colours as #rrggbb, dash null for solid. */
    interface Canvas {
        void line(double x1, double y1, double x2, double y2, String colour, double width, String dash);

        void polyline(double[] xs, double[] ys, String colour, double width, String dash);

        void dot(double x, double y, double radius, String colour);

        void rect(double x, double y, double w, double h, String colour);

        /** anchor: start, middle or end; rotated: 90° counter-clockwise around (x, y). */
        void text(double x, double y, String text, String anchor, int size, boolean rotated);
    }

    static String svg(List<ScalingBench.Row> rows, List<ScalingBench.Fit> fits, String title) {
        SvgCanvas canvas = new SvgCanvas();
        draw(canvas, rows, fits, title);
        return canvas.finish();
    }

    static void draw(Canvas c, List<ScalingBench.Row> rows, List<ScalingBench.Fit> fits, String title) {
        List<ScalingBench.Row> ok = rows.stream().filter(ScalingBench.Row::ok).toList();
        c.text(LEFT, 25, title, "start", 15, false);
        int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        c.rect(LEFT, TOP, plotW, plotH, "#000000");
        if (ok.isEmpty()) {
            c.text(LEFT + plotW / 2.0, TOP + plotH / 2.0, "no length completed", "middle", 14, false);
            return;
        }
        double xMin = Double.MAX_VALUE, xMax = 0, yMin = Double.MAX_VALUE, yMax = 0;
        for (ScalingBench.Row r : ok) {
            xMin = Math.min(xMin, r.minutes());
            xMax = Math.max(xMax, r.minutes());
            yMin = Math.min(yMin, Math.min(r.encoderMs(), r.transcribeMs()));
            yMax = Math.max(yMax, Math.max(r.encoderMs(), r.transcribeMs()));
        }
        // Whole decades around the data keep the ticks readable; positive floors avoid log(0).
        double lx0 = Math.floor(Math.log10(xMin) + 1e-9), lx1 = Math.ceil(Math.log10(xMax) - 1e-9);
        double ly0 = Math.floor(Math.log10(Math.max(yMin, 1e-3)) + 1e-9);
        double ly1 = Math.ceil(Math.log10(Math.max(yMax, 1e-3)) - 1e-9);
        if (lx1 <= lx0) lx1 = lx0 + 1;
        if (ly1 <= ly0) ly1 = ly0 + 1;
        Axis x = new Axis(lx0, lx1, LEFT, LEFT + plotW);
        Axis y = new Axis(ly0, ly1, TOP + plotH, TOP);
        for (double decade = lx0; decade <= lx1; decade++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = m * Math.pow(10, decade);
                if (Math.log10(v) > lx1 + 1e-9) break;
                double px = x.at(v);
                c.line(px, TOP, px, TOP + plotH, m == 1 ? "#bbbbbb" : "#e6e6e6", 1, null);
                c.text(px, TOP + plotH + 18, label(v), "middle", 11, false);
            }
        }
        for (double decade = ly0; decade <= ly1; decade++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = m * Math.pow(10, decade);
                if (Math.log10(v) > ly1 + 1e-9) break;
                double py = y.at(v);
                c.line(LEFT, py, LEFT + plotW, py, m == 1 ? "#bbbbbb" : "#e6e6e6", 1, null);
                c.text(LEFT - 6, py + 4, label(v), "end", 11, false);
            }
        }
        c.text(LEFT + plotW / 2.0, HEIGHT - 18, "recording length (minutes, log scale)", "middle", 13, false);
        c.text(22, TOP + plotH / 2.0, "time (ms, log scale)", "middle", 13, true);
        // Slope-1 guide from the lower-left corner, clipped to the plot.
        double span = Math.min(lx1 - lx0, ly1 - ly0);
        c.line(x.at(Math.pow(10, lx0)), y.at(Math.pow(10, ly0)), x.at(Math.pow(10, lx0 + span)), y.at(Math.pow(10, ly0 + span)),
                "#888888", 1, "2,4");
        int legendX = LEFT + plotW + 15, legendY = TOP + 10;
        for (int i = 0; i < fits.size(); i++) {
            ScalingBench.Fit f = fits.get(i);
            String colour = COLOURS[i % COLOURS.length];
            List<ScalingBench.Row> series = ok.stream().filter(r -> r.series().equals(f.series())).toList();
            if (!series.isEmpty()) {
                double[] xs = series.stream().mapToDouble(r -> x.at(r.minutes())).toArray();
                double[] enc = series.stream().mapToDouble(r -> y.at(Math.max(r.encoderMs(), 1e-3))).toArray();
                double[] all = series.stream().mapToDouble(r -> y.at(Math.max(r.transcribeMs(), 1e-3))).toArray();
                c.polyline(xs, enc, colour, 2, null);
                c.polyline(xs, all, colour, 2, "6,4");
                for (int k = 0; k < xs.length; k++) c.dot(xs[k], enc[k], 3, colour);
            }
            String name = f.series().model() + " (" + f.series().config().name() + ", " + f.series().attention() + ")";
            c.line(legendX, legendY, legendX + 25, legendY, colour, 2, null);
            c.text(legendX + 30, legendY + 4, name, "start", 12, false);
            c.line(legendX, legendY + 16, legendX + 25, legendY + 16, colour, 2, "6,4");
            c.text(legendX + 30, legendY + 20, String.format(Locale.ROOT, "encoder ~ n^%s, transcription ~ n^%s",
                    exponent(f.encoderExponent()), exponent(f.transcribeExponent())), "start", 11, false);
            legendY += 44;
        }
        c.line(legendX, legendY, legendX + 25, legendY, "#888888", 1, "2,4");
        c.text(legendX + 30, legendY + 4, "slope 1 (linear in length)", "start", 11, false);
        c.text(legendX, legendY + 26, "solid: encoder; dashed: encoder + CTC greedy", "start", 11, false);
    }

    private record Axis(double logFrom, double logTo, double pixelFrom, double pixelTo) {
        double at(double v) {
            return pixelFrom + (Math.log10(v) - logFrom) / (logTo - logFrom) * (pixelTo - pixelFrom);
        }
    }

    private static String label(double v) {
        if (v >= 1) return String.format(Locale.ROOT, "%d", Math.round(v));
        return String.format(Locale.ROOT, "%.6f", v).replaceAll("0+$", "");
    }

    private static String exponent(double e) {
        return Double.isNaN(e) ? "?" : String.format(Locale.ROOT, "%.2f", e);
    }

    private static final class SvgCanvas implements Canvas {
        private final StringBuilder sb = new StringBuilder();

        SvgCanvas() {
            sb.append(String.format(Locale.ROOT, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>%n"
                    + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                    + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
            sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        }

        String finish() { return sb.append("</svg>\n").toString(); }

        private static String dash(String dash) { return dash == null ? "" : " stroke-dasharray=\"" + dash + "\""; }

        @Override public void line(double x1, double y1, double x2, double y2, String colour, double width, String dash) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    + "stroke-width=\"%.1f\"%s/>%n", x1, y1, x2, y2, colour, width, dash(dash)));
        }

        @Override public void polyline(double[] xs, double[] ys, String colour, double width, String dash) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < xs.length; i++) points.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", xs[i], ys[i]));
            sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\"%s/>%n",
                    points, colour, width, dash(dash)));
        }

        @Override public void dot(double x, double y, double radius, String colour) {
            sb.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"/>%n", x, y, radius, colour));
        }

        @Override public void rect(double x, double y, double w, double h, String colour) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                    + "stroke=\"%s\"/>%n", x, y, w, h, colour));
        }

        @Override public void text(double x, double y, String text, String anchor, int size, boolean rotated) {
            String escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
            String transform = rotated ? String.format(Locale.ROOT, " transform=\"rotate(-90 %.1f %.1f)\"", x, y) : "";
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s>%s</text>%n",
                    x, y, anchor, size, transform, escaped));
        }
    }
}
