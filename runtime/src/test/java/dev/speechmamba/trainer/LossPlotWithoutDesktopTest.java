package dev.speechmamba.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.bench.NoDesktopClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The end-of-training loss plot is optional: a runtime without java.desktop logs a note instead of failing. */
class LossPlotWithoutDesktopTest {

    private static List<JsonNode> records() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return List.of(json.readTree("{\"kind\":\"train\",\"step\":1,\"loss\":3.5}"),
                json.readTree("{\"kind\":\"train\",\"step\":2,\"loss\":2.5}"),
                json.readTree("{\"kind\":\"valid\",\"step\":2,\"loss\":2.8}"));
    }

    @Test
    void missingJavaDesktopIsALoggedNote(@TempDir Path dir) throws Exception {
        Class<?> trainer = Class.forName(Trainer.class.getName(), false, new NoDesktopClassLoader());
        Method write = trainer.getDeclaredMethod("writeLossPlot", List.class, Path.class, Consumer.class);
        write.setAccessible(true);
        List<String> notes = new ArrayList<>();
        Path png = dir.resolve("loss.png");
        Consumer<String> log = notes::add;
        assertEquals(false, write.invoke(null, records(), png, log));
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.getFirst().contains("loss plot") && notes.getFirst().contains("NoClassDefFoundError")
                && notes.getFirst().contains(Trainer.METRICS_FILE), notes.getFirst());
        assertFalse(Files.exists(png));
    }

    @Test
    void withJava2dThePngIsWritten(@TempDir Path dir) throws Exception {
        List<String> notes = new ArrayList<>();
        Path png = dir.resolve("loss.png");
        boolean written = Trainer.writeLossPlot(records(), png, notes::add);
        // A container without fonts may not draw text; then the note explains it and there is no file.
        assertEquals(written, Files.exists(png), notes.toString());
        assertEquals(written ? 0 : 1, notes.size(), notes.toString());
    }
}
