package dev.speechmamba.transcribe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.audio.Fbank;
import dev.speechmamba.audio.GlobalCmvn;
import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.decode.WordTimings;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TranscriberTest {
    static Backend backend;
    static BpeTokenizer tokenizer;
    static AsrModel model;

    @BeforeAll
    static void setUp() {
        backend = Backends.create("cpu");
        tokenizer = TinyModels.tokenizer();
        model = TinyModels.tinyModel(backend, tokenizer, 11);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        backend.close();
    }

    /** Checks what every transcript must satisfy, whatever the (untrained) model says. */
    static void assertWellFormed(Transcript t, double duration) {
        assertEquals(String.join(" ", t.segments().stream().map(Segment::text).toList()), t.text());
        assertEquals(t.words(), t.segments().stream().flatMap(s -> s.words().stream()).toList());
        double previousStart = 0;
        for (Word w : t.words()) {
            assertFalse(w.text().isBlank(), "blank word in " + t);
            assertFalse(w.text().contains("\u2581") || w.text().contains(" "), "word '" + w.text() + "'");
            assertTrue(w.start() >= previousStart && w.end() > w.start(), "word times " + w);
            assertTrue(w.end() <= duration + WordTimings.FRAME_SECONDS, "word past the end: " + w + " > " + duration);
            previousStart = w.start();
        }
        double previousEnd = 0;
        for (Segment s : t.segments()) {
            assertFalse(s.text().isBlank());
            assertTrue(s.start() >= previousEnd - 1e-9 && s.end() >= s.start(), "segment times " + s);
            for (Word w : s.words()) assertTrue(w.start() >= s.start() - 1e-9 && w.end() <= s.end() + 1e-9, w + " outside " + s);
            previousEnd = s.end();
        }
    }

    @Test
    void greedyAndBeamTranscribeASyntheticWaveform() throws Exception {
        float[] pcm = TinyModels.waveform(2.0, 1);
        for (TranscribeOptions.Decoder kind : TranscribeOptions.Decoder.values()) {
            TranscribeOptions options = TranscribeOptions.defaults().withDecoder(kind);
            try (Transcriber transcriber = new Transcriber(model, tokenizer, null, options)) {
                Transcript t = transcriber.transcribe(pcm);
                assertWellFormed(t, 2.0);
                JsonNode json = new ObjectMapper().readTree(TranscriptFormat.JSON.format(t, "x.wav"));
                assertEquals(t.text(), json.get("text").asText());
                assertEquals(t.words().size(), json.get("words").size());
            }
        }
    }

    @Test
    void longRecordingsAreDecodedSegmentBySegment() {
        // Segments of at most 12 frames (0.48 s) force several decoder passes, over slices of one encoder pass or
        // over each segment's own encoder pass; both decoders, both ways.
        float[] pcm = TinyModels.waveform(3.0, 8);
        for (TranscribeOptions.Decoder kind : TranscribeOptions.Decoder.values()) {
            for (boolean encodeSegments : new boolean[] {false, true}) {
                TranscribeOptions options = TranscribeOptions.defaults().withDecoder(kind)
                        .withSegmentation(new dev.speechmamba.decode.Segmenter.Options(4, 1, 12))
                        .withBeam(dev.speechmamba.decode.BeamSearch.Options.defaults().withBeamSize(3))
                        .withEncodeSegments(encodeSegments);
                try (Transcriber transcriber = new Transcriber(model, tokenizer, null, options)) {
                    Transcript t = transcriber.transcribe(pcm);
                    String what = kind + (encodeSegments ? ", segments encoded alone" : ", one encoder pass");
                    assertWellFormed(t, 3.0);
                    assertTrue(t.segments().size() >= 3, what + ": expected several segments, got " + t.segments());
                    for (Segment s : t.segments()) {
                        assertTrue(s.end() - s.start() <= 12 * WordTimings.FRAME_SECONDS + 1e-9, what + ": long " + s);
                    }
                    assertEquals(t, transcriber.transcribe(pcm), what + ": not deterministic");
                }
            }
        }
    }

    /** A segment's own audio: from its first frame's first sample to its last frame's filterbank context. */
    @Test
    void segmentAudioCoversTheSegmentsFramesAndStopsAtTheEnd() {
        float[] pcm = new float[16_000];
        for (int i = 0; i < pcm.length; i++) pcm[i] = i;
        float[] middle = Transcriber.segmentAudio(pcm, new dev.speechmamba.decode.Segmenter.FrameRange(5, 10));
        assertEquals(5 * 640f, middle[0]);
        assertEquals((4 * 9 + 3) * 160 + 400, middle.length + 5 * 640);     // frame 9 ends at (4·9+3)·160 + 400
        float[] tail = Transcriber.segmentAudio(pcm, new dev.speechmamba.decode.Segmenter.FrameRange(20, 25));
        assertEquals(pcm.length - 20 * 640, tail.length);
        assertEquals(pcm[pcm.length - 1], tail[tail.length - 1]);
    }

    /**
     * Trimmed to its sound: the leading silence goes (but 10 ms) and the segment's frames start at the recording's
     * frame nearest the kept audio; the trailing silence goes but its margin.
     */
    @Test
    void segmentAudioWithEdgesDropsTheSilenceAroundTheSound() {
        float[] pcm = new float[32_000];                   // 0.5 s silence, 1 s tone, 0.5 s silence
        for (int i = 8_000; i < 24_000; i++) pcm[i] = (float) (0.5 * Math.sin(2 * Math.PI * 200 * i / 16_000.0) + 0.1);
        Transcriber.SegmentAudio a = Transcriber.segmentAudio(pcm, new dev.speechmamba.decode.Segmenter.FrameRange(0, 50),
                new dev.speechmamba.audio.SpeechEdges(0.01, 160, 800));
        assertEquals(Math.round((8_000 - 160) / 640f), a.firstFrame());
        assertEquals(50 - a.firstFrame(), a.frames());
        assertEquals(160 + 16_000 + 800, a.samples().length);
        assertEquals(0f, a.samples()[159]);
        assertEquals(pcm[8_000], a.samples()[160]);
        assertTrue(a.trimmed(pcm.length));
        Transcriber.SegmentAudio plain = Transcriber.segmentAudio(pcm, new dev.speechmamba.decode.Segmenter.FrameRange(0, 50), null);
        assertEquals(0, plain.firstFrame());
        assertEquals(pcm.length, plain.samples().length);
        float[] loudness = Transcriber.frameLoudness(pcm, 51);
        assertEquals(0f, loudness[0]);
        assertTrue(loudness[20] > 0.3f);
        assertEquals(0f, loudness[50], "past the end of the audio");
    }

    @Test
    void batchedTranscriptionEqualsOneByOne() {
        List<float[]> pcms = List.of(TinyModels.waveform(1.2, 2), TinyModels.waveform(0.5, 3), TinyModels.waveform(2.1, 4),
                new float[100]);
        TranscribeOptions options = TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.GREEDY);
        try (Transcriber transcriber = new Transcriber(model, tokenizer, null, options)) {
            List<Transcript> batched = transcriber.transcribe(pcms);
            assertEquals(4, batched.size());
            assertEquals(Transcript.empty(), batched.get(3), "shorter than one 25 ms frame");
            for (int i = 0; i < 3; i++) assertEquals(transcriber.transcribe(pcms.get(i)).text(), batched.get(i).text(), "recording " + i);
        }
    }

    @Test
    void rejectsNonFiniteSamplesAndMismatchedTokenizers() {
        try (Transcriber transcriber = new Transcriber(model, tokenizer, null, TranscribeOptions.defaults())) {
            float[] bad = TinyModels.waveform(0.5, 5);
            bad[100] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> transcriber.transcribe(bad));
            assertTrue(e.getMessage().contains("non-finite"), e.getMessage());
        }
        BpeTokenizer other = BpeTrainer.train(List.of("completely different text here"), new BpeTrainer.Options(20, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Transcriber(model, other, null, TranscribeOptions.defaults()));
        assertTrue(e.getMessage().contains("tokenizer mismatch"), e.getMessage());
    }

    @Test
    void modelFolderRoundTripsWeightsTokenizerAndCmvn(@TempDir Path dir) throws Exception {
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(80);
        acc.add(new Fbank().compute(TinyModels.waveform(1.0, 9)));
        GlobalCmvn cmvn = acc.finish();
        ModelFolder.save(dir, model, tokenizer, cmvn);
        float[] pcm = TinyModels.waveform(1.5, 6);
        TranscribeOptions options = TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.GREEDY);
        try (Transcriber loaded = Transcriber.load(dir, backend, options);
             Transcriber direct = new Transcriber(model, tokenizer, cmvn, options)) {
            assertTrue(loaded.cmvn().isPresent());
            assertEquals(tokenizer.pieces(), loaded.tokenizer().pieces());
            assertEquals(direct.transcribe(pcm), loaded.transcribe(pcm));
        }
    }

    @Test
    void loadsTheTrainersExportFormat(@TempDir Path dir) throws Exception {
        GlobalCmvn.Accumulator acc = new GlobalCmvn.Accumulator(80);
        acc.add(new Fbank().compute(TinyModels.waveform(1.0, 10)));
        Map<String, String> meta = dev.speechmamba.trainer.ModelBundle.exportMetadata(tokenizer, acc.finish());
        model.toCheckpoint(meta).save(dir.resolve(ModelFolder.WEIGHTS));
        try (Transcriber t = Transcriber.load(dir.resolve(ModelFolder.WEIGHTS), backend, TranscribeOptions.defaults())) {
            assertTrue(t.cmvn().isPresent());
            assertEquals(tokenizer.vocabSize(), t.tokenizer().vocabSize());
        }
    }

    @Test
    void badModelFoldersGiveErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        Exception missing = assertThrows(java.io.IOException.class, () -> ModelFolder.load(dir, backend));
        assertTrue(missing.getMessage().contains(ModelFolder.WEIGHTS), missing.getMessage());

        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        Exception unreadable = assertThrows(java.io.IOException.class, () -> ModelFolder.load(garbage, backend));
        assertTrue(unreadable.getMessage().contains(garbage.toString()), unreadable.getMessage());

        Path noConfig = dir.resolve("weights-only.safetensors");
        new Checkpoint(model.parameters().toHost(), Map.of()).save(noConfig);
        Exception config = assertThrows(java.io.IOException.class, () -> ModelFolder.load(noConfig, backend));
        assertTrue(config.getMessage().contains("no 'config'"), config.getMessage());

        Path noTokenizer = dir.resolve("no-tokenizer.safetensors");
        model.toCheckpoint(Map.of()).save(noTokenizer);
        Exception tok = assertThrows(java.io.IOException.class, () -> ModelFolder.load(noTokenizer, backend));
        assertTrue(tok.getMessage().contains("no tokenizer"), tok.getMessage());

        Path wrongTokenizer = dir.resolve("wrong");
        BpeTokenizer other = BpeTrainer.train(List.of("completely different text here"), new BpeTrainer.Options(20, false));
        Files.createDirectories(wrongTokenizer);
        model.toCheckpoint(Map.of()).save(wrongTokenizer.resolve(ModelFolder.WEIGHTS));
        other.save(wrongTokenizer.resolve(ModelFolder.TOKENIZER_FILE));
        Exception mismatch = assertThrows(java.io.IOException.class, () -> ModelFolder.load(wrongTokenizer, backend));
        assertTrue(mismatch.getMessage().contains("tokenizer mismatch"), mismatch.getMessage());
    }
}
