package dev.speechmamba.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The PNG twin of {@link ScalingPlot}'s SVG, drawn by Java2D (headless) through the same {@link ScalingPlot.Canvas}.
 * Kept in its own class so that only calling {@link #write} needs the java.desktop module: on a runtime without
 * it the call throws a {@link LinkageError} (NoClassDefFoundError) that callers turn into a logged note.
 */
final class ScalingPng {
    private ScalingPng() { }

    static void write(List<ScalingBench.Row> rows, List<ScalingBench.Fit> fits, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(ScalingPlot.WIDTH, ScalingPlot.HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, ScalingPlot.WIDTH, ScalingPlot.HEIGHT);
            ScalingPlot.draw(new Java2dCanvas(g), rows, fits, title);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
    }

    private record Java2dCanvas(Graphics2D g) implements ScalingPlot.Canvas {
        private static Color colour(String hex) { return Color.decode(hex); }

        private void stroke(String colour, double width, String dash) {
            g.setColor(colour(colour));
            if (dash == null) {
                g.setStroke(new BasicStroke((float) width));
            } else {
                String[] parts = dash.split(",");
                float[] pattern = new float[parts.length];
                for (int i = 0; i < parts.length; i++) pattern[i] = Float.parseFloat(parts[i]);
                g.setStroke(new BasicStroke((float) width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, pattern, 0f));
            }
        }

        @Override public void line(double x1, double y1, double x2, double y2, String colour, double width, String dash) {
            stroke(colour, width, dash);
            g.draw(new Line2D.Double(x1, y1, x2, y2));
        }

        @Override public void polyline(double[] xs, double[] ys, String colour, double width, String dash) {
            stroke(colour, width, dash);
            Path2D.Double path = new Path2D.Double();
            path.moveTo(xs[0], ys[0]);
            for (int i = 1; i < xs.length; i++) path.lineTo(xs[i], ys[i]);
            g.draw(path);
        }

        @Override public void dot(double x, double y, double radius, String colour) {
            g.setColor(colour(colour));
            g.fill(new Ellipse2D.Double(x - radius, y - radius, 2 * radius, 2 * radius));
        }

        @Override public void rect(double x, double y, double w, double h, String colour) {
            stroke(colour, 1, null);
            g.draw(new Rectangle2D.Double(x, y, w, h));
        }

        @Override public void text(double x, double y, String text, String anchor, int size, boolean rotated) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, size));
            int width = g.getFontMetrics().stringWidth(text);
            double shift = switch (anchor) {
                case "middle" -> -width / 2.0;
                case "end" -> -width;
                default -> 0;
            };
            AffineTransform saved = g.getTransform();
            g.translate(x, y);
            if (rotated) g.rotate(-Math.PI / 2);
            g.drawString(text, (float) shift, 0f);
            g.setTransform(saved);
        }
    }
}
