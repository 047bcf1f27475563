package dev.speechmamba.bench;

import dev.speechmamba.model.ModelConfig;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds scaling.svg, scaling.png (where Java2D works) and scaling.md from a scaling.csv written by
 * {@link ScalingBench}, e.g. when the measuring run could not plot. The exponents are refitted from the
 * rows (the CSV's exponent columns are only cross-checked), so the tables and legend match a live run.
 *
 * <p>The CSV does not record the machine or the warm-up count; scaling.md's first line is taken from a
 * scaling.md beside the CSV when there is one (the measuring run's), else it says they were not recorded.
 */
public final class ScalingReplot {
    private static final Set<String> STATUSES = Set.of("ok", "oom", "timeout", "skipped", "error");
    private static final String HEADLINE_PREFIX = "Scaling benchmark: device ";
    /** Exponents recomputed from 4-decimal milliseconds may differ from the CSV's in the last digits. */
    private static final double EXPONENT_TOLERANCE = 2e-3;

    private ScalingReplot() { }

    /**
     * @param csv   a scaling.csv
     * @param out   folder for scaling.svg, scaling.png and scaling.md (created when missing; may be the CSV's)
     * @param title plot title, or null for the bench's default (device and Speech-Mamba config)
     */
    public static ScalingBench.Result replot(Path csv, Path out, String title, PrintWriter log) throws IOException {
        Parsed parsed = parse(csv);
        List<ScalingBench.Fit> fits = new ArrayList<>();
        for (ScalingBench.Series s : parsed.series()) fits.add(ScalingBench.fit(s, parsed.rows()));
        for (ScalingBench.Fit f : fits) crossCheck(f, parsed.csvExponents().get(f.series()), log);
        String headline = headline(csv, parsed);
        Files.createDirectories(out);
        String plotTitle = title != null && !title.isBlank() ? title
                : ScalingBench.defaultTitle(parsed.device(), parsed.series().getFirst().config().name());
        ScalingBench.Plots plots = ScalingBench.writePlots(parsed.rows(), fits, plotTitle, out, log);
        String markdown = ScalingBench.markdown(headline, parsed.rows(), fits);
        Path table = out.resolve("scaling.md");
        Files.writeString(table, markdown);
        log.print(markdown);
        log.flush();
        return new ScalingBench.Result(parsed.rows(), fits, csv, plots.svg(), plots.png(), table);
    }

    /** The rows of a scaling.csv, its models in first-seen order, and the exponents it carried per model. */
    record Parsed(List<ScalingBench.Row> rows, List<ScalingBench.Series> series,
                  Map<ScalingBench.Series, double[]> csvExponents, String device, String repeats) { }

    static Parsed parse(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) throw new IllegalArgumentException("scaling replot: no such file " + csv);
        List<String> lines = Files.readAllLines(csv).stream().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) throw new IllegalArgumentException("scaling replot: " + csv + " is empty");
        List<String> header = List.of(lines.getFirst().strip().split(",", -1));
        List<String> expected = List.of(ScalingBench.CSV_HEADER.split(","));
        List<String> missing = expected.stream().filter(c -> !header.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("scaling replot: " + csv + " is not a scaling.csv: header lacks "
                    + String.join(", ", missing) + " (expected " + ScalingBench.CSV_HEADER + ", got " + lines.getFirst() + ")");
        }
        if (lines.size() == 1) throw new IllegalArgumentException("scaling replot: " + csv + " has a header but no rows");
        Map<String, ScalingBench.Series> seriesByKey = new LinkedHashMap<>();
        Map<String, ModelConfig> configs = new LinkedHashMap<>();
        Map<ScalingBench.Series, double[]> exponents = new LinkedHashMap<>();
        Set<String> devices = new LinkedHashSet<>(), repeats = new LinkedHashSet<>();
        List<ScalingBench.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            Line line = new Line(csv, i + 1, header, lines.get(i).strip().split(",", -1));
            String model = line.text("model"), configName = line.text("config"), attention = line.text("attention");
            ModelConfig config = configs.computeIfAbsent(configName, name -> line.config(name));
            ScalingBench.Series series = seriesByKey.computeIfAbsent(model + "\u0000" + configName + "\u0000" + attention,
                    k -> new ScalingBench.Series(model, config, line.window(attention), line.globalTokens(attention)));
            String status = line.text("status");
            if (!STATUSES.contains(status)) throw line.problem("status", "'" + status + "' is not one of " + STATUSES);
            boolean ok = status.equals("ok");
            ScalingBench.Row row = new ScalingBench.Row(series, line.number("minutes", true), line.integer("input_frames"),
                    line.integer("encoder_frames"), status, line.number("encoder_ms", ok), line.number("transcribe_ms", ok),
                    line.number("peak_mb", false), line.number("activation_mb", false), line.number("weights_mb", false),
                    line.text("tokens").isEmpty() ? -1 : line.integer("tokens"));
            if (!(row.minutes() > 0)) throw line.problem("minutes", "must be > 0, got " + row.minutes());
            if (ok && !(row.encoderMs() > 0 && row.transcribeMs() > 0)) {
                throw line.problem("encoder_ms", "an ok row needs positive times, got " + row.encoderMs() + " and "
                        + row.transcribeMs());
            }
            rows.add(row);
            exponents.putIfAbsent(series, new double[] {line.number("encoder_exponent", false),
                    line.number("transcribe_exponent", false)});
            devices.add(line.text("device"));
            repeats.add(line.text("repeats"));
        }
        return new Parsed(rows, List.copyOf(seriesByKey.values()), exponents, String.join("+", devices),
                String.join("/", repeats));
    }

    /** The recomputed exponents should match the CSV's; a mismatch means the CSV was edited or written differently. */
    private static void crossCheck(ScalingBench.Fit fit, double[] fromCsv, PrintWriter log) {
        double[] recomputed = {fit.encoderExponent(), fit.transcribeExponent()};
        String[] names = {"encoder", "transcription"};
        for (int k = 0; k < 2; k++) {
            boolean bothNaN = Double.isNaN(recomputed[k]) && Double.isNaN(fromCsv[k]);
            if (!bothNaN && !(Math.abs(recomputed[k] - fromCsv[k]) <= EXPONENT_TOLERANCE)) {
                log.printf(Locale.ROOT, "note: %s (%s, %s) %s exponent refitted as %.4f, the CSV says %.4f%n",
                        fit.series().model(), fit.series().config().name(), fit.series().attention(), names[k],
                        recomputed[k], fromCsv[k]);
            }
        }
    }

    private static String headline(Path csv, Parsed parsed) throws IOException {
        Path beside = csv.toAbsolutePath().resolveSibling("scaling.md");
        if (Files.isRegularFile(beside)) {
            List<String> md = Files.readAllLines(beside);
            if (!md.isEmpty() && md.getFirst().startsWith(HEADLINE_PREFIX + parsed.device() + ",")) return md.getFirst();
        }
        return String.format(Locale.ROOT, "%s%s, machine and warm-up runs not recorded in %s; %s timed runs (median); "
                + "random weights, synthetic features, batch 1.", HEADLINE_PREFIX, parsed.device(), csv.getFileName(),
                parsed.repeats());
    }

    /** One data line with its number, for errors that name the file, line and column. */
    private record Line(Path file, int number, List<String> header, String[] cells) {
        Line {
            if (cells.length != header.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "scaling replot: %s line %d has %d cells, "
                        + "the header %d", file, number, cells.length, header.size()));
            }
        }

        String text(String column) { return cells[header.indexOf(column)].strip(); }

        IllegalArgumentException problem(String column, String what) {
            return new IllegalArgumentException(String.format(Locale.ROOT, "scaling replot: %s line %d, column %s: %s",
                    file, number, column, what));
        }

        /** A number, or NaN for an empty cell where {@code required} is false. */
        double number(String column, boolean required) {
            String v = text(column);
            if (v.isEmpty()) {
                if (required) throw problem(column, "empty");
                return Double.NaN;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw problem(column, "'" + v + "' is not a number");
            }
        }

        int integer(String column) {
            String v = text(column);
            try {
                return Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw problem(column, "'" + v + "' is not an integer");
            }
        }

        /** "full" is -1, "window=W" and "window=W+global=G" are W. */
        int window(String attention) {
            return attentionSetting(attention)[0];
        }

        /** The G of "window=W+global=G", else 0. */
        int globalTokens(String attention) {
            return attentionSetting(attention)[1];
        }

        /** {W, G} of an attention column; full attention is {-1, 0}. */
        private int[] attentionSetting(String attention) {
            if (attention.equals("full")) return new int[] {-1, 0};
            if (attention.startsWith("window=")) {
                String rest = attention.substring("window=".length());
                int plus = rest.indexOf("+global=");
                try {
                    int w = Integer.parseInt(plus < 0 ? rest : rest.substring(0, plus));
                    int g = plus < 0 ? 0 : Integer.parseInt(rest.substring(plus + "+global=".length()));
                    if (w >= 0 && g >= 0) return new int[] {w, g};
                } catch (NumberFormatException ignored) {
                    // reported below
                }
            }
            throw problem("attention", "'" + attention + "' is neither 'full', 'window=W' nor 'window=W+global=G'");
        }

        ModelConfig config(String name) {
            try {
                return ModelConfig.resolve(name);
            } catch (IllegalArgumentException e) {
                throw problem("config", "'" + name + "' is not a known config (" + e.getMessage() + "); the plot needs "
                        + "the config by name");
            }
        }
    }
}
