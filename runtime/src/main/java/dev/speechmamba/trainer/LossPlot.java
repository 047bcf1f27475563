package dev.speechmamba.trainer;

import com.fasterxml.jackson.databind.JsonNode;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the loss curve of a metrics log as a PNG with Java2D (headless): training loss per step as a line,
 * validation loss per epoch as dots, on linear axes with labelled ticks.
 */
public final class LossPlot {
    static final int WIDTH = 900, HEIGHT = 520;
    private static final int LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 55;

    private LossPlot() { }

    /** Writes {@code png} (atomically) from the records of {@code log}; at least one train record is needed. */
    public static void write(List<JsonNode> records, Path png) throws IOException {
        List<double[]> train = new ArrayList<>(), valid = new ArrayList<>();
        for (JsonNode n : records) {
            JsonNode loss = n.get("loss");
            if (loss == null || !loss.isNumber()) continue;
            double[] point = {n.path("step").asDouble(), loss.asDouble()};
            if (n.path("kind").asText().equals("train")) train.add(point);
            else if (n.path("kind").asText().equals("valid")) valid.add(point);
        }
        if (train.isEmpty()) throw new IllegalArgumentException("loss plot: no training loss records to draw");
        double xMin = Double.MAX_VALUE, xMax = -Double.MAX_VALUE, yMax = 0;
        for (List<double[]> series : List.of(train, valid)) {
            for (double[] p : series) {
                xMin = Math.min(xMin, p[0]);
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        if (xMax <= xMin) xMax = xMin + 1;
        double yTop = niceCeiling(yMax <= 0 ? 1 : yMax);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i <= 5; i++) {
                int y = TOP + plotH - i * plotH / 5;
                g.setColor(new Color(230, 230, 230));
                g.drawLine(LEFT, y, LEFT + plotW, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format(Locale.ROOT, "%.3g", yTop * i / 5), 8, y + 4);
                int x = LEFT + i * plotW / 5;
                g.drawString(String.format(Locale.ROOT, "%.0f", xMin + (xMax - xMin) * i / 5), x - 10, TOP + plotH + 18);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, plotW, plotH);
            g.drawString("optimizer step", LEFT + plotW / 2 - 40, HEIGHT - 12);
            g.drawString("loss (0.3·CTC + 0.7·CE)", LEFT, TOP - 12);

            Path2D.Double line = new Path2D.Double();
            for (int i = 0; i < train.size(); i++) {
                double x = LEFT + (train.get(i)[0] - xMin) / (xMax - xMin) * plotW;
                double y = TOP + plotH - Math.min(1, train.get(i)[1] / yTop) * plotH;
                if (i == 0) line.moveTo(x, y); else line.lineTo(x, y);
            }
            g.setColor(new Color(31, 119, 180));
            g.setStroke(new BasicStroke(1.5f));
            g.draw(line);
            g.setColor(new Color(214, 39, 40));
            for (double[] p : valid) {
                int x = (int) Math.round(LEFT + (p[0] - xMin) / (xMax - xMin) * plotW);
                int y = (int) Math.round(TOP + plotH - Math.min(1, p[1] / yTop) * plotH);
                g.fillOval(x - 4, y - 4, 8, 8);
            }
            g.setColor(new Color(31, 119, 180));
            g.drawString("train", LEFT + plotW - 110, TOP + 18);
            g.setColor(new Color(214, 39, 40));
            g.drawString("valid (per epoch)", LEFT + plotW - 110, TOP + 34);
        } finally {
            g.dispose();
        }
        Path target = png.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (!ImageIO.write(image, "png", tmp.toFile())) throw new IOException("no PNG writer available");
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The smallest of 1, 2, 5 × 10^k at or above {@code v}. */
    static double niceCeiling(double v) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * magnitude >= v) return m * magnitude;
        return 10 * magnitude;
    }
}
