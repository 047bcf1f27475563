package dev.speechmamba.transcribe;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.train.Checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which model {@code transcribe} and {@code serve} use: a model folder (or .safetensors file) on disk, or the
 * default model bundled in the jar. {@link #resolve} applies the order shared by every command.
 */
public sealed interface ModelSource {
    /** Environment variable naming the model folder to use when no {@code --model} is given. */
    String MODEL_ENV = "SPEECH_MAMBA_MODEL";
    /** Folder, relative to the working directory, used when it exists and neither option nor variable is set. */
    String LOCAL_FOLDER = "model";

    /** Loads the model onto {@code backend}. */
    ModelFolder.Loaded load(Backend backend) throws IOException;

    /** One line for stderr saying which model is used and why, e.g. {@code model: /m (from $SPEECH_MAMBA_MODEL)}. */
    String describe();

    /** A short name for reports such as the server's /health. */
    String name();

    /** The model's own n-gram language model (see {@link ModelLanguageModel}), if it has one. */
    Optional<NgramLm> languageModel() throws IOException;

    /** The model's own lexicon (see {@link ModelLanguageModel}), if it has one. */
    Optional<Lexicon> lexicon() throws IOException;

    /** The model's own neural LM's weights (see {@link ModelLanguageModel}), if it has one. */
    Optional<Checkpoint> neuralLanguageModel() throws IOException;

    /**
     * The files beside the weights that belong to a model: its LM, its lexicon and its neural LM (the first name
     * found of each).
     */
    List<List<String>> COMPANION_FILE_NAMES = List.of(ModelLanguageModel.FILE_NAMES, ModelLanguageModel.LEXICON_FILE_NAMES,
            ModelLanguageModel.NEURAL_FILE_NAMES);

    /**
     * Copies the model into folder {@code dir} as a model folder: its weights as {@code model.safetensors}, and its
     * own LM, lexicon and neural LM files when it has them. Existing files of those names are an error (nothing is overwritten).
     *
     * @return the files written
     */
    List<Path> copyTo(Path dir) throws IOException;

    /**
     * A folder or file on disk.
     *
     * @param origin why it was chosen: "--model", "$SPEECH_MAMBA_MODEL" or "./model"
     */
    record Folder(Path path, String origin) implements ModelSource {
        @Override public ModelFolder.Loaded load(Backend backend) throws IOException { return ModelFolder.load(path, backend); }

        @Override public String describe() { return "model: " + path + " (from " + origin + ")"; }

        @Override public Optional<NgramLm> languageModel() throws IOException { return ModelLanguageModel.inFolder(path); }

        @Override public Optional<Lexicon> lexicon() throws IOException { return ModelLanguageModel.lexiconInFolder(path); }

        @Override public Optional<Checkpoint> neuralLanguageModel() throws IOException { return ModelLanguageModel.neuralInFolder(path); }

        @Override public List<Path> copyTo(Path dir) throws IOException {
            List<Path> written = new ArrayList<>();
            written.add(copyNew(ModelFolder.weightsFile(path), dir.resolve(ModelFolder.WEIGHTS)));
            for (List<String> names : COMPANION_FILE_NAMES) {
                Optional<Path> file = ModelLanguageModel.firstInFolder(path, names);
                if (file.isPresent()) written.add(copyNew(file.get(), dir.resolve(file.get().getFileName())));
            }
            return written;
        }

        private static Path copyNew(Path from, Path to) throws IOException {
            Files.copy(from, to); // no REPLACE_EXISTING: an existing file is FileAlreadyExistsException
            return to;
        }

        @Override public String name() {
            Path file = path.toAbsolutePath().normalize().getFileName();
            return file == null ? path.toString() : file.toString();
        }
    }

    /** The model bundled in the jar as a classpath resource (see {@link BundledModel}). */
    record Bundled(String resource) implements ModelSource {
        @Override public ModelFolder.Loaded load(Backend backend) throws IOException { return BundledModel.load(resource, backend); }

        @Override public String describe() {
            return "model: bundled default model (" + resource + "; no --model, no $" + MODEL_ENV + ", no ./"
                    + LOCAL_FOLDER + ")";
        }

        @Override public String name() { return "speech-mamba-default"; }

        @Override public Optional<NgramLm> languageModel() throws IOException { return ModelLanguageModel.besideResource(resource); }

        @Override public Optional<Lexicon> lexicon() throws IOException { return ModelLanguageModel.lexiconBesideResource(resource); }

        @Override public Optional<Checkpoint> neuralLanguageModel() throws IOException {
            return ModelLanguageModel.neuralBesideResource(resource);
        }

        @Override public List<Path> copyTo(Path dir) throws IOException {
            List<Path> written = new ArrayList<>();
            written.add(copyResource(resource, dir.resolve(ModelFolder.WEIGHTS)));
            for (List<String> names : COMPANION_FILE_NAMES) {
                Optional<String> found = ModelLanguageModel.firstBesideResource(resource, names);
                if (found.isPresent()) {
                    String name = found.get();
                    written.add(copyResource(name, dir.resolve(name.substring(name.lastIndexOf('/') + 1))));
                }
            }
            return written;
        }

        private static Path copyResource(String name, Path to) throws IOException {
            try (InputStream in = Bundled.class.getResourceAsStream(name)) {
                if (in == null) throw new NoSuchFileException("classpath:" + name, null, "this build has no bundled model");
                Files.copy(in, to);
            }
            return to;
        }
    }

    /** The process's own choice: {@code --model} if given, else its environment and working directory. */
    static ModelSource resolve(Path explicit) {
        return resolve(explicit, System.getenv(), Path.of(""));
    }

    /**
     * {@code explicit} ({@code --model}) when not null; else {@code $SPEECH_MAMBA_MODEL} when set and not blank; else
     * {@code workingDir/model} when it exists; else the bundled default model. A named folder that does not exist
     * is still returned (loading it then says so), so that a typo is never silently replaced by the default.
     */
    static ModelSource resolve(Path explicit, Map<String, String> environment, Path workingDir) {
        if (explicit != null) return new Folder(explicit, "--model");
        String fromEnv = environment.get(MODEL_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) return new Folder(Path.of(fromEnv), "$" + MODEL_ENV);
        Path local = workingDir.resolve(LOCAL_FOLDER);
        if (Files.exists(local)) return new Folder(local, "./" + LOCAL_FOLDER);
        return new Bundled(BundledModel.RESOURCE);
    }
}
