package dev.speechmamba.serve;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** Checks of the Prometheus text exposition format (0.0.4) that a scraper would enforce. */
final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")(,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")*})? "
                    + "(-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?|\\+Inf|-Inf|NaN)");
    private static final Pattern TYPE = Pattern.compile("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");

    private PrometheusText() { }

    /** Every line is a sample, HELP or TYPE; every sample's family was typed before it; histograms are cumulative. */
    static void check(String text) {
        assertTrue(text.endsWith("\n"), "exposition must end with a newline");
        Set<String> typed = new HashSet<>();
        Map<String, String> types = new HashMap<>();
        Map<String, Double> lastBucket = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) continue;
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                assertTrue(typed.add(type.group(1)), "family typed twice: " + type.group(1));
                types.put(type.group(1), type.group(2));
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            assertTrue(sample.matches(), "not a valid sample line: '" + line + "'");
            String name = sample.group(1);
            String family = name.replaceFirst("_(bucket|sum|count)$", "");
            assertTrue(typed.contains(name) || (typed.contains(family) && "histogram".equals(types.get(family))),
                    "sample before its # TYPE: " + line);
            if (name.endsWith("_bucket")) {
                double v = Double.parseDouble(sample.group(5).replace("+Inf", "Infinity"));
                Double previous = lastBucket.put(family, v);
                assertTrue(previous == null || v >= previous, "histogram buckets not cumulative at: " + line);
            }
            if (name.endsWith("_count") && lastBucket.containsKey(family)) {
                assertEquals(lastBucket.get(family), Double.parseDouble(sample.group(5)), 0.0, "+Inf bucket != count for " + family);
            }
        }
    }

    /** The value of the sample whose name and labels are exactly {@code series}. */
    static double value(String text, String series) {
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
        }
        throw new AssertionError("no sample " + series + " in:\n" + text);
    }
}
