package dev.speechmamba.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads and writes NeMo-style JSONL manifests (one JSON object per line). */
public final class Manifest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifest() { }

    public static void write(Path file, List<ManifestEntry> entries) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (ManifestEntry e : entries) {
                w.write(JSON.writeValueAsString(toJson(e)));
                w.write('\n');
            }
        }
    }

    static ObjectNode toJson(ManifestEntry e) {
        ObjectNode n = JSON.createObjectNode();
        n.put("audio_filepath", e.audioFilepath());
        n.put("duration", Math.round(e.duration() * 1e4) / 1e4);
        n.put("text", e.text());
        if (e.voice() != null) n.put("voice", e.voice());
        if (e.offset() != null) n.put("offset", Math.round(e.offset() * 1e4) / 1e4);
        if (e.segments() != null) {
            ArrayNode list = n.putArray("segments");
            for (ManifestEntry.Segment s : e.segments()) {
                ObjectNode sn = list.addObject();
                sn.put("offset", Math.round(s.offset() * 1e4) / 1e4);
                sn.put("duration", Math.round(s.duration() * 1e4) / 1e4);
                sn.put("text", s.text());
                if (s.voice() != null) sn.put("voice", s.voice());
                if (s.source() != null) sn.put("source", s.source());
            }
        }
        return n;
    }

    /** Reads every entry; a malformed line raises an IOException naming the file and line number. */
    public static List<ManifestEntry> read(Path file) throws IOException {
        List<ManifestEntry> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            if (line.isBlank()) continue;
            try {
                JsonNode n = JSON.readTree(line);
                if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
                if (!n.path("audio_filepath").isTextual()) throw new IllegalArgumentException("missing \"audio_filepath\"");
                if (!n.path("duration").isNumber()) throw new IllegalArgumentException("missing numeric \"duration\"");
                if (!n.path("text").isTextual()) throw new IllegalArgumentException("missing \"text\"");
                List<ManifestEntry.Segment> segments = null;
                if (n.has("segments")) {
                    segments = new ArrayList<>();
                    for (JsonNode s : n.withArray("segments")) {
                        segments.add(new ManifestEntry.Segment(s.path("offset").asDouble(), s.path("duration").asDouble(),
                                s.path("text").asText(), s.hasNonNull("voice") ? s.get("voice").asText() : null,
                                s.hasNonNull("source") ? s.get("source").asText() : null));
                    }
                }
                out.add(new ManifestEntry(n.get("audio_filepath").asText(), n.get("duration").asDouble(), n.get("text").asText(),
                        n.hasNonNull("voice") ? n.get("voice").asText() : null,
                        n.hasNonNull("offset") ? n.get("offset").asDouble() : null, segments));
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException(file + ":" + lineNo + ": bad manifest line: " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** The audio file of {@code entry}: absolute paths as they are, relative ones against the manifest's folder. */
    public static Path resolveAudio(Path manifest, ManifestEntry entry) {
        Path p = Path.of(entry.audioFilepath());
        if (p.isAbsolute()) return p;
        Path dir = manifest.toAbsolutePath().getParent();
        return dir == null ? p : dir.resolve(p);
    }
}
