package dev.speechmamba.transcribe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSourceTest {

    @Test
    void modelOptionWinsOverEverything(@TempDir Path cwd) throws Exception {
        Files.createDirectories(cwd.resolve("model"));
        Path named = cwd.resolve("elsewhere");
        ModelSource source = ModelSource.resolve(named, Map.of(ModelSource.MODEL_ENV, "/from/env"), cwd);
        assertEquals(new ModelSource.Folder(named, "--model"), source);
        assertTrue(source.describe().contains(named.toString()) && source.describe().contains("--model"), source.describe());
        assertEquals("elsewhere", source.name());
    }

    @Test
    void environmentVariableWinsOverTheLocalFolder(@TempDir Path cwd) throws Exception {
        Files.createDirectories(cwd.resolve("model"));
        ModelSource source = ModelSource.resolve(null, Map.of(ModelSource.MODEL_ENV, "/from/env"), cwd);
        assertEquals(new ModelSource.Folder(Path.of("/from/env"), "$" + ModelSource.MODEL_ENV), source);
    }

    @Test
    void blankEnvironmentVariableCountsAsUnset(@TempDir Path cwd) throws Exception {
        Files.createDirectories(cwd.resolve("model"));
        ModelSource source = ModelSource.resolve(null, Map.of(ModelSource.MODEL_ENV, "  "), cwd);
        assertEquals(new ModelSource.Folder(cwd.resolve("model"), "./model"), source);
    }

    @Test
    void localModelFolderWhenItExists(@TempDir Path cwd) throws Exception {
        Files.createDirectories(cwd.resolve("model"));
        assertEquals(new ModelSource.Folder(cwd.resolve("model"), "./model"), ModelSource.resolve(null, Map.of(), cwd));
    }

    @Test
    void bundledModelOtherwise(@TempDir Path cwd) {
        ModelSource source = ModelSource.resolve(null, Map.of("UNRELATED", "x"), cwd);
        assertEquals(new ModelSource.Bundled(BundledModel.RESOURCE), source);
        assertTrue(source.describe().contains("bundled"), source.describe());
    }

    @Test
    void aNamedFolderThatDoesNotExistIsKeptSoLoadingReportsIt(@TempDir Path cwd) {
        Path typo = cwd.resolve("modle");
        ModelSource source = ModelSource.resolve(null, Map.of(ModelSource.MODEL_ENV, typo.toString()), cwd);
        assertEquals(new ModelSource.Folder(typo, "$" + ModelSource.MODEL_ENV), source);
        try (var backend = dev.speechmamba.backend.Backends.create("cpu")) {
            Exception e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> source.load(backend));
            assertTrue(e.getMessage().contains("modle"), e.getMessage());
        }
    }
}
