package dev.speechmamba.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metrics log {@code metrics.jsonl}: one JSON object per line, {@code "kind": "train"} per optimizer step
 * (loss, ctc, attention, lr, grad_norm, utt_per_s) and {@code "kind": "valid"} per epoch (loss, wer, S/D/I).
 * Every line carries {@code step} and {@code epoch}, so a resumed run first drops the lines written after its
 * checkpoint and the log reads as one uninterrupted run.
 */
public final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public MetricsLog(Path file) { this.file = file; }

    public Path file() { return file; }

    /** Appends one record; values are numbers or strings. */
    public void append(String kind, long step, int epoch, Map<String, ?> values) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("kind", kind);
        o.put("step", step);
        o.put("epoch", epoch);
        values.forEach((k, v) -> {
            if (v instanceof Integer i) o.put(k, i);
            else if (v instanceof Long l) o.put(k, l);
            else if (v instanceof Number n) {
                double d = n.doubleValue();
                if (Double.isFinite(d)) o.put(k, d); else o.putNull(k);
            } else o.put(k, String.valueOf(v));
        });
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, JSON.writeValueAsString(o) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** All records; a malformed line is an error naming the file and line. */
    public List<JsonNode> read() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            try {
                out.add(JSON.readTree(lines.get(i)));
            } catch (IOException e) {
                throw new IOException(file + ":" + (i + 1) + ": not a JSON metrics record: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Keeps only records a run resumed at {@code step} would have written before it: train records up to that
     * step and the validation records of the {@code finishedEpochs} epochs it had finished (a validation record
     * carries the 1-based number of the epoch it closes; a checkpoint stores the 0-based index of the epoch in
     * progress, which is the number finished).
     */
    public void truncateAfter(long step, int finishedEpochs) throws IOException {
        if (!Files.exists(file)) return;
        StringBuilder kept = new StringBuilder();
        for (JsonNode n : read()) {
            boolean keep = n.path("kind").asText().equals("valid")
                    ? n.path("epoch").asInt() <= finishedEpochs && n.path("step").asLong() <= step
                    : n.path("step").asLong() <= step;
            if (keep) kept.append(JSON.writeValueAsString(n)).append('\n');
        }
        Artifacts.writeAtomically(file, kept.toString());
    }
}
