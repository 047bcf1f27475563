package dev.speechmamba.transcribe;

import dev.speechmamba.audio.AudioFiles;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.text.WordErrorRate;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BundledModelTest {
    /** Shipped for machines without espeak-ng; the tests run in the runtime module's folder. */
    static final Path SAMPLE = Path.of("..", "examples", "sample.wav");

    @Test
    void theJarCarriesASelfContainedDefaultModelWithItsCard() throws IOException {
        assertTrue(BundledModel.available(), "the runtime must ship " + BundledModel.RESOURCE);
        try (InputStream card = BundledModel.class.getResourceAsStream(BundledModel.CARD_RESOURCE)) {
            assertTrue(card != null, "the default model needs its card " + BundledModel.CARD_RESOURCE);
            assertTrue(new String(card.readAllBytes()).contains("recipe-default-model.sh"));
        }
        long bytes;
        try (InputStream in = BundledModel.class.getResourceAsStream(BundledModel.RESOURCE)) {
            bytes = in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        assertTrue(bytes <= 25L << 20, "the bundled model must stay small enough to ship: " + bytes + " bytes");
    }

    @Test
    void loadsFromTheClasspathWithConsistentConfigTokenizerAndCmvnAndTranscribesTheSample() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long leftoversBefore = countTempModelFolders(tmp);
        try (Backend backend = Backends.create("cpu")) {
            ModelFolder.Loaded loaded = BundledModel.load(backend);
            try (Transcriber transcriber = Transcriber.load(new ModelSource.Bundled(BundledModel.RESOURCE), backend,
                    TranscribeOptions.defaults())) {
                var config = loaded.model().config();
                assertEquals(config.vocabSize(), loaded.tokenizer().vocabSize());
                assertTrue(loaded.cmvn().isPresent(), "the default model was trained with global CMVN");
                assertEquals(config.featureDim(), loaded.cmvn().get().dims());
                assertTrue(loaded.source().startsWith("classpath:"), loaded.source());

                // The bundled LM is over this model's pieces, and the default options use it.
                assertTrue(transcriber.languageModel().isPresent(), "the default model ships its n-gram LM beside it");
                assertTrue(transcriber.languageModel().get().order() >= 3, transcriber.languageModel().get().toString());
                // And its lexicon, which the default options charge unknown words against.
                assertTrue(transcriber.lexicon().isPresent(), "the default model ships its lexicon beside it");
                assertTrue(transcriber.lexicon().get().size() > 100_000, transcriber.lexicon().get().toString());
                assertTrue(transcriber.lexicon().get().contains("canoe") && transcriber.lexicon().get().contains("birch"));

                float[] pcm = AudioFiles.read16kMono(SAMPLE).samples();
                Transcript transcript = transcriber.transcribe(pcm);
                assertFalse(transcript.text().isBlank(), "the sample must transcribe to some text");
                for (Word w : transcript.words()) {
                    assertTrue(w.confidence() >= 0 && w.confidence() <= 1, w.toString());
                }
                // The sample is read right (TranscribeDefaultModelTest); most of its words should be sure ones.
                assertTrue(transcript.segments().getFirst().confidence() > 0.5, transcript.segments().toString());
            } finally {
                loaded.model().close();
            }
        }
        assertEquals(leftoversBefore, countTempModelFolders(tmp), "loading must leave no temporary files behind");
    }

    /**
     * The sample 30 dB quieter (a phone held far away): the bundled model, trained on speech at -24 to -16 dBFS, read
     * such recordings over 90 % wrong (docs/benchmarks.md, "Quiet recordings"): "a few a small". With the speech brought
     * into its training levels first, as transcribe does by default, it reads them nearly as it reads the sample.
     */
    @Test
    void aQuietRecordingIsReadNearlyAsTheSampleIs() throws IOException {
        float[] pcm = AudioFiles.read16kMono(SAMPLE).samples();
        float[] quiet = new float[pcm.length];
        for (int i = 0; i < pcm.length; i++) quiet[i] = pcm[i] * 0.0316f;
        float[] kept = quiet.clone();
        try (Backend backend = Backends.create("cpu");
             Transcriber transcriber = Transcriber.load(new ModelSource.Bundled(BundledModel.RESOURCE), backend,
                     TranscribeOptions.defaults().withBeam(TranscribeOptions.defaults().beam().withBeamSize(4)))) {
            String text = transcriber.transcribe(quiet).text();
            long errors = WordErrorRate.count("the birch canoe slid on the smooth planks", text).errors();
            assertTrue(errors <= 2, errors + " errors in '" + text + "'");
            assertArrayEquals(kept, quiet, "the caller's samples are not changed");
        }
    }

    @Test
    void aMissingResourceSaysSoAndHowToGetAModel() {
        String missing = "/dev/speechmamba/models/none/model.safetensors";
        assertFalse(BundledModel.available(missing));
        try (Backend backend = Backends.create("cpu")) {
            NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> BundledModel.load(missing, backend));
            String message = e.getMessage();
            assertTrue(message.contains(missing) && message.contains("no bundled model") && message.contains("--model")
                    && message.contains(ModelSource.MODEL_ENV), message);
        }
    }

    @Test
    void aResourceThatIsNotAModelNamesTheResource() {
        try (Backend backend = Backends.create("cpu")) {
            IOException e = assertThrows(IOException.class, () -> BundledModel.load(BundledModel.CARD_RESOURCE, backend));
            assertTrue(e.getMessage().contains("classpath:" + BundledModel.CARD_RESOURCE), e.getMessage());
        }
    }

    private static long countTempModelFolders(Path tmp) throws IOException {
        try (var list = Files.list(tmp)) {
            return list.filter(p -> p.getFileName().toString().startsWith("speech-mamba-model-")).count();
        }
    }
}
