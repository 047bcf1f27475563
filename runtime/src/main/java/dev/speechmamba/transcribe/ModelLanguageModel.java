package dev.speechmamba.transcribe;

import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a model keeps its own language model, {@code lm.arpa.gz} (or {@code lm.arpa}), and its own lexicon,
 * {@code lexicon.txt.gz} (or {@code lexicon.txt}): in the model's folder, or beside the bundled model's resource. A
 * model given as a bare .safetensors file has neither (a checkpoint folder's neighbours are not its own).
 */
public final class ModelLanguageModel {
    /** File names looked for, in this order. */
    public static final List<String> FILE_NAMES = List.of("lm.arpa.gz", "lm.arpa");
    /** Lexicon file names looked for, in this order. */
    public static final List<String> LEXICON_FILE_NAMES = List.of("lexicon.txt.gz", "lexicon.txt");

    private ModelLanguageModel() { }

    /** The LM in model folder {@code modelPath}; empty when it has none or {@code modelPath} is a file. */
    public static Optional<NgramLm> inFolder(Path modelPath) throws IOException {
        if (!Files.isDirectory(modelPath)) return Optional.empty();
        for (String name : FILE_NAMES) {
            Path file = modelPath.resolve(name);
            if (Files.isRegularFile(file)) return Optional.of(NgramLm.readArpa(file));
        }
        return Optional.empty();
    }

    /** The LM resource beside a model resource ({@code …/model.safetensors} → {@code …/lm.arpa.gz}). */
    public static Optional<NgramLm> besideResource(String modelResource) throws IOException {
        String dir = modelResource.substring(0, modelResource.lastIndexOf('/') + 1);
        for (String name : FILE_NAMES) {
            try (InputStream in = ModelLanguageModel.class.getResourceAsStream(dir + name)) {
                if (in != null) return Optional.of(NgramLm.readArpa(in, "classpath:" + dir + name, name.endsWith(".gz")));
            }
        }
        return Optional.empty();
    }

    /** The lexicon in model folder {@code modelPath}; empty when it has none or {@code modelPath} is a file. */
    public static Optional<Lexicon> lexiconInFolder(Path modelPath) throws IOException {
        if (!Files.isDirectory(modelPath)) return Optional.empty();
        for (String name : LEXICON_FILE_NAMES) {
            Path file = modelPath.resolve(name);
            if (Files.isRegularFile(file)) return Optional.of(Lexicon.read(file));
        }
        return Optional.empty();
    }

    /** The lexicon resource beside a model resource ({@code …/model.safetensors} → {@code …/lexicon.txt.gz}). */
    public static Optional<Lexicon> lexiconBesideResource(String modelResource) throws IOException {
        String dir = modelResource.substring(0, modelResource.lastIndexOf('/') + 1);
        for (String name : LEXICON_FILE_NAMES) {
            try (InputStream in = ModelLanguageModel.class.getResourceAsStream(dir + name)) {
                if (in != null) return Optional.of(Lexicon.read(in, "classpath:" + dir + name, name.endsWith(".gz")));
            }
        }
        return Optional.empty();
    }
}
