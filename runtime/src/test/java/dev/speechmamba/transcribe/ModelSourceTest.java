package dev.speechmamba.transcribe;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelSourceTest {

    @Test
    void copyToTakesTheWeightsAndTheModelsOwnLmLexiconAndNeuralLmAndOverwritesNothing(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("m"));
        Files.writeString(folder.resolve("model.safetensors"), "weights");
        Files.writeString(folder.resolve("lm.arpa.gz"), "lm");
        Files.writeString(folder.resolve("lexicon.txt"), "lexicon");
        Files.writeString(folder.resolve("nlm.safetensors"), "neural lm");
        Files.writeString(folder.resolve("notes.txt"), "not part of the model");
        Path target = Files.createDirectories(tmp.resolve("copy"));
        var written = new ModelSource.Folder(folder, "--model").copyTo(target);
        assertEquals(List.of(target.resolve("model.safetensors"), target.resolve("lm.arpa.gz"),
                target.resolve("lexicon.txt"), target.resolve("nlm.safetensors")), written);
        assertEquals("lm", Files.readString(target.resolve("lm.arpa.gz")));
        assertTrue(Files.notExists(target.resolve("notes.txt")));

        Path busy = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(busy.resolve("model.safetensors"), "mine");
        assertThrows(FileAlreadyExistsException.class,
                () -> new ModelSource.Folder(folder, "--model").copyTo(busy));
        assertEquals("mine", Files.readString(busy.resolve("model.safetensors")));
        assertThrows(NoSuchFileException.class,
                () -> new ModelSource.Folder(tmp.resolve("absent"), "--model").copyTo(target));
    }

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
