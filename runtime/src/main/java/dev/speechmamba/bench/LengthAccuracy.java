package dev.speechmamba.bench;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.text.WordErrorRate;
import dev.speechmamba.trainer.Evaluator;
import dev.speechmamba.trainer.FeaturePipeline;
import dev.speechmamba.trainer.ModelBundle;
import dev.speechmamba.trainer.Utterance;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Accuracy against recording length: the CTC-greedy WER of one trained model on several manifests
 * (e.g. the short test split, the 45–60 s set, 10- and 60-minute recordings), each with full encoder
 * attention and with limited-context windows, in one table. Every recording is encoded in one pass
 * (no chunking), so long manifests test exactly what the scaling benchmark times.
 */
public final class LengthAccuracy {

    /**
     * @param model     trained model file or folder (see {@link ModelBundle})
     * @param manifests JSONL manifests, one table block each
     * @param windows   encoder attention windows to compare, -1 for full attention
     * @param globalTokens global tokens added to every windowed setting (0 for none)
     */
    public record Settings(Path model, List<Path> manifests, List<Integer> windows, int globalTokens, String device,
                           double batchSeconds, int threads) {
        public Settings {
            List<String> problems = new ArrayList<>();
            if (model == null) problems.add("--model is required for an accuracy table");
            if (manifests == null || manifests.isEmpty()) problems.add("no manifests");
            else for (Path m : manifests) if (!Files.isRegularFile(m)) problems.add("manifest " + m + " does not exist");
            if (windows == null || windows.isEmpty()) problems.add("no attention settings");
            else for (int w : windows) if (w < -1) problems.add("window " + w + " must be >= 0 or -1 (full)");
            if (globalTokens < 0) problems.add("global tokens must be >= 0, got " + globalTokens);
            else if (globalTokens > 0 && windows != null && windows.stream().noneMatch(w -> w >= 0)) {
                problems.add("global tokens need a windowed attention setting");
            }
            if (!(batchSeconds > 0)) problems.add("batch seconds must be > 0, got " + batchSeconds);
            if (threads < 1) problems.add("threads must be >= 1, got " + threads);
            if (!problems.isEmpty()) throw new IllegalArgumentException("accuracy table: " + String.join("; ", problems));
            manifests = List.copyOf(manifests);
            windows = List.copyOf(windows);
        }

        /** Settings without global tokens. */
        public Settings(Path model, List<Path> manifests, List<Integer> windows, String device, double batchSeconds,
                        int threads) {
            this(model, manifests, windows, 0, device, batchSeconds, threads);
        }
    }

    /** One manifest decoded with one attention setting. */
    public record Row(Path manifest, int window, int globalTokens, int utterances, double audioSeconds,
                      double longestSeconds, WordErrorRate.Counts counts, double decodeSeconds) {
        public String attention() {
            if (window < 0) return "full";
            return "window=" + window + (globalTokens > 0 ? "+global=" + globalTokens : "");
        }
    }

    private LengthAccuracy() { }

    public static List<Row> run(Settings settings, PrintWriter log) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Backend backend = Backends.create(settings.device());
             ModelBundle bundle = ModelBundle.load(settings.model(), backend)) {
            FeaturePipeline features = new FeaturePipeline(bundle.model().config().featureDim(), bundle.cmvn(), null, false);
            for (Path manifest : settings.manifests()) {
                List<Utterance> utterances = Utterance.readManifest(manifest);
                double total = 0, longest = 0;
                for (Utterance u : utterances) {
                    total += u.duration();
                    longest = Math.max(longest, u.duration());
                }
                for (int window : settings.windows()) {
                    int globals = window < 0 ? 0 : settings.globalTokens();
                    bundle.model().setEncoderAttentionWindow(window, globals);
                    long start = System.nanoTime();
                    Evaluator.Result r = Evaluator.run(bundle.model(), bundle.tokenizer(), features, utterances,
                            Math.max(settings.batchSeconds(), longest), settings.threads(), false);
                    Row row = new Row(manifest, window, globals, utterances.size(), total, longest, r.counts(),
                            (System.nanoTime() - start) / 1e9);
                    rows.add(row);
                    log.printf(Locale.ROOT, "%s (%s): WER %.2f%% over %d recordings, %.1f s%n", manifest.getFileName(),
                            row.attention(), 100 * r.wer(), utterances.size(), row.decodeSeconds());
                    log.flush();
                }
            }
            bundle.model().setEncoderAttentionWindow(-1);
        }
        return rows;
    }

    static final String CSV_HEADER = "manifest,attention,utterances,audio_hours,longest_seconds,wer_percent,substitutions,"
            + "deletions,insertions,reference_words,decode_seconds";

    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (Row r : rows) {
            WordErrorRate.Counts c = r.counts();
            sb.append(String.format(Locale.ROOT, "%s,%s,%d,%.4f,%.1f,%.3f,%d,%d,%d,%d,%.2f%n", csvCell(r.manifest().toString()),
                    r.attention(), r.utterances(), r.audioSeconds() / 3600, r.longestSeconds(), 100 * c.wer(),
                    c.substitutions(), c.deletions(), c.insertions(), c.referenceWords(), r.decodeSeconds()));
        }
        return sb.toString();
    }

    public static String markdown(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| manifest | recordings | longest | attention | WER % | S / D / I | words |\n"
                + "|---|---:|---:|---|---:|---|---:|\n");
        for (Row r : rows) {
            WordErrorRate.Counts c = r.counts();
            sb.append(String.format(Locale.ROOT, "| %s | %d | %.0f s | %s | %.2f | %d / %d / %d | %d |%n",
                    r.manifest().getFileName(), r.utterances(), r.longestSeconds(), r.attention(), 100 * c.wer(),
                    c.substitutions(), c.deletions(), c.insertions(), c.referenceWords()));
        }
        return sb.toString();
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
