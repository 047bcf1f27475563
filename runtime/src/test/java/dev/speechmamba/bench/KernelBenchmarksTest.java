package dev.speechmamba.bench;

import org.junit.jupiter.api.Test;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelBenchmarksTest {

    @Test
    void tinyInProcessRunMeasuresEveryCombination() throws Exception {
        KernelBenchmarks.Settings s = new KernelBenchmarks.Settings(0, 0, 1, 0.05, List.of("reference", "cpu"),
                List.of(16, 32), List.of(16), true, false, false);
        KernelBenchmarks bench = new KernelBenchmarks(s, Map.of(), new PrintWriter(new StringWriter()));
        List<KernelBenchmarks.Row> rows = bench.run();
        assertEquals(3, bench.expectedRows());
        assertEquals(3, rows.size(), rows.toString());
        for (KernelBenchmarks.Row r : rows) {
            assertTrue(r.opsPerSecond() > 0, r.toString());
            int n = Integer.parseInt(r.size().split("x")[0]);
            assertEquals(r.opsPerSecond() * 2.0 * n * n * n / 1e9, r.derived(), 1e-9 * r.derived());
        }
        StringWriter text = new StringWriter();
        KernelBenchmarks.print(rows, new PrintWriter(text));
        assertEquals(4, text.toString().lines().count(), text.toString());
        assertTrue(text.toString().contains("GFLOP/s"), text.toString());
    }

    @Test
    void scanRowsReportElementStates() throws Exception {
        // A small scan keeps this fast; the parameters flow through JMH's @Param overrides.
        assertEquals(1.0 * 2 * 3 * 4 * 5, SelectiveScanBenchmark.elementStatesPerOp(2, 3, 4, 5));
        KernelBenchmarks.Settings s = new KernelBenchmarks.Settings(0, 0, 1, 0.05, List.of("reference"),
                List.of(), List.of(), false, true, false);
        KernelBenchmarks bench = new KernelBenchmarks(s, Map.of("time", "64", "channels", "8"),
                new PrintWriter(new StringWriter()));
        List<KernelBenchmarks.Row> rows = bench.run();
        assertEquals(List.of("scan.forward", "scan.backward"), rows.stream().map(KernelBenchmarks.Row::benchmark).toList());
        for (KernelBenchmarks.Row r : rows) {
            assertEquals("1x64x8x16", r.size());
            assertEquals(r.opsPerSecond() * 64 * 8 * 16 / 1e9, r.derived(), 1e-9 * r.derived());
        }
    }

    @Test
    void forkedRunIsQuiet() throws Exception {
        // One real fork: the JVM's incubator notice and JMH's Unsafe warnings must not reach the console.
        KernelBenchmarks.Settings s = new KernelBenchmarks.Settings(1, 0, 1, 0.05, List.of("cpu"),
                List.of(8), List.of(), true, false, false);
        StringWriter console = new StringWriter();
        List<KernelBenchmarks.Row> rows = new KernelBenchmarks(s, Map.of(), new PrintWriter(console)).run();
        assertEquals(1, rows.size());
        assertEquals("", console.toString().strip(), "unexpected console output");
    }

    @Test
    void lineFilterDropsOnlyExactLines() {
        StringWriter text = new StringWriter();
        try (PrintStream stream = new PrintStream(new LineFilterOutputStream(new PrintWriter(text),
                Set.of(KernelBenchmarks.INCUBATOR_WARNING)), true, StandardCharsets.UTF_8)) {
            stream.print("keep ü\r\n" + KernelBenchmarks.INCUBATOR_WARNING + "\n");
            stream.print(KernelBenchmarks.INCUBATOR_WARNING + " and more\nlast without newline");
        }
        assertEquals(List.of("keep ü", KernelBenchmarks.INCUBATOR_WARNING + " and more", "last without newline"),
                text.toString().lines().toList());
    }

    @Test
    void scanShapeOverridesAreChecked() {
        KernelBenchmarks.Settings s = KernelBenchmarks.Settings.defaults();
        PrintWriter sink = new PrintWriter(new StringWriter());
        assertThrows(IllegalArgumentException.class, () -> new KernelBenchmarks(s, Map.of("heads", "2"), sink));
        assertThrows(IllegalArgumentException.class, () -> new KernelBenchmarks(s, Map.of("time", "0"), sink));
    }

    @Test
    void machineLineNamesCoresJavaAndTime() {
        String line = KernelBenchmarks.machineLine();
        assertTrue(line.contains(Runtime.getRuntime().availableProcessors() + " cores"), line);
        assertTrue(line.contains("Java " + Runtime.version()), line);
        assertTrue(line.matches(".*\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$"), line);
    }

    @Test
    void settingsRejectNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new KernelBenchmarks.Settings(1, 0, 0, 1, List.of("cpu"),
                List.of(8), List.of(8), true, true, false));
        assertThrows(IllegalArgumentException.class, () -> new KernelBenchmarks.Settings(1, 0, 1, 1, List.of("gpu"),
                List.of(8), List.of(8), true, true, false));
        assertThrows(IllegalArgumentException.class, () -> new KernelBenchmarks.Settings(1, 0, 1, 0, List.of("cpu"),
                List.of(8), List.of(8), true, true, false));
    }
}
