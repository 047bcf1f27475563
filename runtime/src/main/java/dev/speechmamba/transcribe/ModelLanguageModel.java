package dev.speechmamba.transcribe;

import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where a model keeps its own language model, {@code lm.smlm} (the compact form), {@code lm.arpa.gz} or
 * {@code lm.arpa}, its own lexicon, {@code lexicon.txt.gz} (or {@code lexicon.txt}), and its own neural LM,
 * {@code nlm.safetensors}: in the model's folder, or beside the bundled model's resource. A
 * model given as a bare .safetensors file has neither (a checkpoint folder's neighbours are not its own).
 */
public final class ModelLanguageModel {
    /** File names looked for, in this order. */
    public static final List<String> FILE_NAMES = List.of("lm.smlm", "lm.arpa.gz", "lm.arpa");
    /** Lexicon file names looked for, in this order. */
    public static final List<String> LEXICON_FILE_NAMES = List.of("lexicon.txt.gz", "lexicon.txt");
    /** Neural LM file names looked for ({@code train-neural-lm}'s weights). */
    public static final List<String> NEURAL_FILE_NAMES = List.of("nlm.safetensors");

    private ModelLanguageModel() { }

    /** The LM in model folder {@code modelPath}; empty when it has none or {@code modelPath} is a file. */
    public static Optional<NgramLm> inFolder(Path modelPath) throws IOException {
        return inFolder(modelPath, FILE_NAMES, NgramLm::read);
    }

    /** The LM resource beside a model resource ({@code …/model.safetensors} → {@code …/lm.smlm}). */
    public static Optional<NgramLm> besideResource(String modelResource) throws IOException {
        return besideResource(modelResource, FILE_NAMES, (in, name, gzip) -> NgramLm.read(in, name));
    }

    /** The lexicon in model folder {@code modelPath}; empty when it has none or {@code modelPath} is a file. */
    public static Optional<Lexicon> lexiconInFolder(Path modelPath) throws IOException {
        return inFolder(modelPath, LEXICON_FILE_NAMES, Lexicon::read);
    }

    /** The lexicon resource beside a model resource ({@code …/model.safetensors} → {@code …/lexicon.txt.gz}). */
    public static Optional<Lexicon> lexiconBesideResource(String modelResource) throws IOException {
        return besideResource(modelResource, LEXICON_FILE_NAMES, Lexicon::read);
    }

    /** The neural LM's weights in model folder {@code modelPath}; empty when it has none or {@code modelPath} is a file. */
    public static Optional<Checkpoint> neuralInFolder(Path modelPath) throws IOException {
        return inFolder(modelPath, NEURAL_FILE_NAMES, Checkpoint::load);
    }

    /** The neural LM's weights beside a model resource ({@code …/model.safetensors} → {@code …/nlm.safetensors}). */
    public static Optional<Checkpoint> neuralBesideResource(String modelResource) throws IOException {
        Optional<String> resource = firstBesideResource(modelResource, NEURAL_FILE_NAMES);
        return resource.isEmpty() ? Optional.empty() : Optional.of(BundledModel.readCheckpoint(resource.get()));
    }

    private interface FileReader<T> {
        T read(Path file) throws IOException;
    }

    private interface StreamReader<T> {
        T read(InputStream in, String name, boolean gzip) throws IOException;
    }

    /** The first of {@code names} in folder {@code modelPath}, read; empty when none is there or it is no folder. */
    private static <T> Optional<T> inFolder(Path modelPath, List<String> names, FileReader<T> reader) throws IOException {
        Optional<Path> file = firstInFolder(modelPath, names);
        return file.isEmpty() ? Optional.empty() : Optional.of(reader.read(file.get()));
    }

    /** The first of {@code names} in the resource folder of {@code modelResource}, read (gzip when named .gz). */
    private static <T> Optional<T> besideResource(String modelResource, List<String> names, StreamReader<T> reader)
            throws IOException {
        Optional<String> resource = firstBesideResource(modelResource, names);
        if (resource.isEmpty()) return Optional.empty();
        try (InputStream in = ModelLanguageModel.class.getResourceAsStream(resource.get())) {
            if (in == null) throw new IOException("classpath:" + resource.get() + " vanished while being read");
            return Optional.of(reader.read(in, "classpath:" + resource.get(), resource.get().endsWith(".gz")));
        }
    }

    /** The first of {@code names} that is a file in folder {@code modelPath}; empty when none is, or it is no folder. */
    static Optional<Path> firstInFolder(Path modelPath, List<String> names) {
        if (!Files.isDirectory(modelPath)) return Optional.empty();
        for (String name : names) {
            Path file = modelPath.resolve(name);
            if (Files.isRegularFile(file)) return Optional.of(file);
        }
        return Optional.empty();
    }

    /** The first of {@code names} that is a resource beside {@code modelResource}, as a resource name; empty when none is. */
    static Optional<String> firstBesideResource(String modelResource, List<String> names) {
        String dir = modelResource.substring(0, modelResource.lastIndexOf('/') + 1);
        for (String name : names) {
            if (ModelLanguageModel.class.getResource(dir + name) != null) return Optional.of(dir + name);
        }
        return Optional.empty();
    }
}
