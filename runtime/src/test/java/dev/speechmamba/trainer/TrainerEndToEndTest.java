package dev.speechmamba.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.cli.Main;
import dev.speechmamba.tensor.Tensor;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import dev.speechmamba.train.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The "done when" on CPU: {@code speech-mamba train} fits the tiny Speech-Mamba to a few synthetic
 * utterances (pitch-coded letters, {@link ToneCorpus}) with a fixed seed, the loss falls, and CTC greedy decoding
 * and joint CTC/attention beam search of the exported model reproduce every training transcript ({@code speech-mamba
 * eval} reports 0% WER). The same run is then used to check the metrics log, the loss plot, averaging and the
 * model-loading errors.
 */
class TrainerEndToEndTest {
    static final List<String> TRANSCRIPTS = List.of("ab cd", "ef ab", "cd ef", "ba dc", "fe ab", "dc ba");
    static final int EPOCHS = 45;

    @TempDir
    static Path dir;
    static Path manifest, out;
    static String trainOutput;

    record Run(int code, String out, String err) { }

    static Run cli(String... args) {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = Main.run(args, new PrintWriter(o), new PrintWriter(e));
        return new Run(code, o.toString(), e.toString());
    }

    @BeforeAll
    static void trainWithTheCommandLine() throws Exception {
        manifest = ToneCorpus.write(dir, "train", TRANSCRIPTS, 100);
        out = dir.resolve("run");
        Run r = cli("train", "--config", "tiny", "--train", manifest.toString(), "--valid", manifest.toString(),
                "--out", out.toString(), "--device", "cpu", "--seed", "3", "--vocab-size", "16", "--batch-seconds", "4",
                "--lr", "3e-3", "--warmup-steps", "10", "--no-augment", "--dropout", "0", "--epochs", String.valueOf(EPOCHS),
                "--ckpt-every", "7", "--keep-checkpoints", "4", "--quiet");
        assertEquals(0, r.code(), r.err());
        trainOutput = r.out();
    }

    @Test
    void lossFallsAndGreedyDecodingReproducesTheTranscripts() throws Exception {
        List<JsonNode> log = new MetricsLog(out.resolve(Trainer.METRICS_FILE)).read();
        List<Double> train = log.stream().filter(n -> n.path("kind").asText().equals("train"))
                .map(n -> n.path("loss").asDouble()).toList();
        assertTrue(train.getLast() < 0.1 * train.getFirst(), "loss should fall: " + train.getFirst() + " -> " + train.getLast());
        assertTrue(trainOutput.contains("WER 0.00%"), trainOutput);

        Run eval = cli("eval", "--model", out.toString(), "--manifest", manifest.toString(), "--device", "cpu", "--by-voice");
        assertEquals(0, eval.code(), eval.err());
        assertTrue(eval.out().startsWith("WER 0.00% (0 errors / 12 words): S=0 D=0 I=0"), eval.out());
        assertTrue(eval.out().contains("CER 0.00% (0 errors / 30 characters)"), eval.out());
        assertTrue(eval.out().matches("(?s).*\\ntone +6 +12 +0\\.00%\\n.*"), eval.out());

        // Two utterances re-labelled as another voice, then left out of the score.
        List<String> lines = Files.readAllLines(manifest);
        for (int i = 0; i < 2; i++) lines.set(i, lines.get(i).replace("\"tone\"", "\"other\""));
        Path twoVoices = manifest.resolveSibling("two-voices.jsonl");
        Files.write(twoVoices, lines);
        String otherWords = String.valueOf(dev.speechmamba.data.Manifest.read(twoVoices).stream()
                .filter(e -> "other".equals(e.voice())).mapToInt(e -> e.text().split(" ").length).sum());
        Run without = cli("eval", "--model", out.toString(), "--manifest", twoVoices.toString(), "--device", "cpu",
                "--by-voice", "--exclude-voice", "other");
        assertEquals(0, without.code(), without.err());
        assertTrue(without.out().startsWith("WER 0.00% (0 errors / " + (12 - Integer.parseInt(otherWords)) + " words)")
                && without.out().contains("4 utterances") && without.out().contains("voices left out: other")
                && !without.out().contains("\nother "), without.out());
        Run typo = cli("eval", "--model", out.toString(), "--manifest", twoVoices.toString(), "--device", "cpu",
                "--exclude-voice", "othr");
        assertEquals(1, typo.code());
        assertTrue(typo.err().contains("--exclude-voice othr") && typo.err().contains("its voices: other, tone"), typo.err());
        Run none = cli("eval", "--model", out.toString(), "--manifest", twoVoices.toString(), "--device", "cpu",
                "--exclude-voice", "other", "--exclude-voice", "tone");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("leaves no utterance"), none.err());

        Run beam = cli("eval", "--model", out.toString(), "--manifest", manifest.toString(), "--device", "cpu", "--beam", "4");
        assertEquals(0, beam.code(), beam.err());
        assertTrue(beam.out().startsWith("WER 0.00% (0 errors / 12 words): S=0 D=0 I=0") && beam.out().contains("beam 4"),
                beam.out());
        // The report says at which speech levels it read the audio.
        assertTrue(beam.out().contains("speech kept within -24 to -16 dBFS"), beam.out());
        Run asRecorded = cli("eval", "--model", out.toString(), "--manifest", manifest.toString(), "--device", "cpu",
                "--speech-level", "off");
        assertEquals(0, asRecorded.code(), asRecorded.err());
        assertTrue(asRecorded.out().contains("CTC greedy, speech at its recorded level"), asRecorded.out());

        try (ModelBundle bundle = ModelBundle.load(out, new ReferenceBackend())) {
            FeaturePipeline features = new FeaturePipeline(80, bundle.cmvn(), null, false);
            Evaluator.Result r = Evaluator.run(bundle.model(), bundle.tokenizer(), features,
                    Utterance.readManifest(manifest), 100, 1, true);
            assertEquals(TRANSCRIPTS, r.hypotheses(), "the float64 reference backend decodes the CPU-trained model too");
        }
    }

    @Test
    void metricsLogAndPlotAreWellFormed() throws Exception {
        List<JsonNode> log = new MetricsLog(out.resolve(Trainer.METRICS_FILE)).read();
        List<JsonNode> train = log.stream().filter(n -> n.path("kind").asText().equals("train")).toList();
        List<JsonNode> valid = log.stream().filter(n -> n.path("kind").asText().equals("valid")).toList();
        assertEquals(EPOCHS, valid.size(), "one validation record per epoch");
        for (int i = 0; i < train.size(); i++) {
            JsonNode n = train.get(i);
            assertEquals(i + 1, n.path("step").asLong());
            for (String key : List.of("loss", "ctc", "attention", "lr", "grad_norm", "utt_per_s")) {
                assertTrue(n.path(key).isNumber() && Double.isFinite(n.path(key).asDouble()), key + " in " + n);
            }
            assertEquals(0.3 * n.path("ctc").asDouble() + 0.7 * n.path("attention").asDouble(), n.path("loss").asDouble(),
                    1e-6 * n.path("loss").asDouble() + 1e-9, "joint loss weights");
        }
        assertEquals(0.0, valid.getLast().path("wer").asDouble());
        assertEquals(12, valid.getLast().path("reference_words").asInt());
        assertTrue(valid.getFirst().path("wer").asDouble() > 0, "the untrained model made errors");

        BufferedImage png = ImageIO.read(out.resolve(Trainer.PLOT_FILE).toFile());
        assertNotNull(png, "loss.png is a readable image");
        assertEquals(LossPlot.WIDTH, png.getWidth());
        assertEquals(LossPlot.HEIGHT, png.getHeight());
        int blue = 0, red = 0;
        for (int y = 0; y < png.getHeight(); y++) {
            for (int x = 0; x < png.getWidth(); x++) {
                int rgb = png.getRGB(x, y), r = rgb >> 16 & 255, g = rgb >> 8 & 255, b = rgb & 255;
                if (b > 150 && r < 80) blue++;
                if (r > 180 && g < 80 && b < 80) red++;
            }
        }
        assertTrue(blue > 200 && red > 100, "curve and validation dots are drawn: " + blue + " blue, " + red + " red pixels");
    }

    /** The exported model is the mean of the newest k checkpoints, without optimizer or training state. */
    @Test
    void averagingTheLastCheckpoints() throws Exception {
        CheckpointStore store = new CheckpointStore(out);
        List<Path> all = store.list();
        assertEquals(4, all.size(), "--keep-checkpoints 4 prunes older ones: " + all);
        Path averaged = dir.resolve("avg3.safetensors");
        Run r = cli("average", "--model", out.toString(), "--last", "3", "--output", averaged.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("averaged 3 checkpoints"), r.out());
        List<Checkpoint> last3 = all.subList(1, 4).stream().map(p -> ModelBundle.readCheckpoint(p)).toList();
        Checkpoint avg = Checkpoint.load(averaged);
        assertFalse(avg.tensors().keySet().stream().anyMatch(k -> k.startsWith("m.") || k.startsWith("v.")),
                "no optimizer state in the exported model");
        assertFalse(avg.metadata().containsKey(CheckpointStore.ADAM_STEP));
        assertEquals(last3.get(0).modelWeights().keySet(), avg.tensors().keySet());
        for (Map.Entry<String, Tensor> e : avg.tensors().entrySet()) {
            float[] got = e.getValue().hostFloats();
            float[][] parts = last3.stream().map(c -> c.tensor(e.getKey()).hostFloats()).toArray(float[][]::new);
            for (int i = 0; i < got.length; i++) {
                double mean = ((double) parts[0][i] + parts[1][i] + parts[2][i]) / 3;
                assertEquals(mean, got[i], 1e-6 * Math.abs(mean) + 1e-9, e.getKey() + "[" + i + "]");
            }
        }
        try (ModelBundle bundle = ModelBundle.load(averaged, new ReferenceBackend())) {
            assertEquals(16, bundle.model().config().vocabSize());
        }
        // --bf16: half the bytes, every weight the float32 average rounded to 8 mantissa bits, and it still loads
        Path half = dir.resolve("avg3-bf16.safetensors");
        Run bf16 = cli("average", "--model", out.toString(), "--last", "3", "--output", half.toString(), "--bf16");
        assertEquals(0, bf16.code(), bf16.err());
        assertTrue(bf16.out().contains("(BF16 weights)"), bf16.out());
        assertTrue(Files.size(half) < 0.6 * Files.size(averaged), Files.size(half) + " vs " + Files.size(averaged));
        Checkpoint narrow = Checkpoint.load(half);
        assertEquals("BF16", narrow.metadata().get("weights_dtype"));
        for (Map.Entry<String, Tensor> e : avg.tensors().entrySet()) {
            float[] full = e.getValue().hostFloats(), got = narrow.tensor(e.getKey()).hostFloats();
            for (int i = 0; i < full.length; i++) {
                assertEquals(full[i], got[i], Math.abs(full[i]) / 256 + 1e-30, e.getKey() + "[" + i + "]");
            }
        }
        try (ModelBundle bundle = ModelBundle.load(half, new ReferenceBackend())) {
            assertEquals(16, bundle.model().config().vocabSize());
        }
        Run tooMany = cli("average", "--model", dir.resolve("nothing-here").toString(), "--last", "2");
        assertEquals(1, tooMany.code());
        assertTrue(tooMany.err().contains("no checkpoints to average"), tooMany.err());
    }

    /** average --models: the weight-for-weight mean of given model files ("model soup"), with its guards. */
    @Test
    void averagingModelFiles() throws Exception {
        List<Path> all = new CheckpointStore(out).list();
        Path a = all.get(2), b = all.get(3);
        Path soup = dir.resolve("soup.safetensors");
        Run r = cli("average", "--models", a.toString(), b.toString(), "--output", soup.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("averaged 2 models"), r.out());
        Checkpoint ca = ModelBundle.readCheckpoint(a), cb = ModelBundle.readCheckpoint(b), mean = Checkpoint.load(soup);
        assertEquals(ca.modelWeights().keySet(), mean.tensors().keySet(), "weights only, no optimizer state");
        for (Map.Entry<String, Tensor> e : mean.tensors().entrySet()) {
            float[] got = e.getValue().hostFloats(), x = ca.tensor(e.getKey()).hostFloats(), y = cb.tensor(e.getKey()).hostFloats();
            for (int i = 0; i < got.length; i++) {
                double m = ((double) x[i] + y[i]) / 2;
                assertEquals(m, got[i], 1e-6 * Math.abs(m) + 1e-9, e.getKey() + "[" + i + "]");
            }
        }
        try (ModelBundle bundle = ModelBundle.load(soup, new ReferenceBackend())) {
            assertEquals(16, bundle.model().config().vocabSize());
        }

        Map<String, String> otherMeta = new java.util.LinkedHashMap<>(cb.metadata());
        otherMeta.put(Checkpoint.TOKENIZER, cb.metadata().get(Checkpoint.TOKENIZER).replaceFirst("\\}\\s*$", ",\"other\":1}"));
        Path otherTokenizer = dir.resolve("other-tokenizer.safetensors");
        new Checkpoint(cb.modelWeights(), otherMeta).save(otherTokenizer, false);
        Path notWritten = dir.resolve("not-written.safetensors");
        Run mismatch = cli("average", "--models", a.toString(), otherTokenizer.toString(), "--output", notWritten.toString());
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().contains(otherTokenizer.toString()) && mismatch.err().contains("tokenizer"), mismatch.err());
        assertFalse(Files.exists(notWritten));

        long before = Files.size(a);
        Run overwrite = cli("average", "--models", a.toString(), b.toString(), "--output", a.toString());
        assertEquals(1, overwrite.code());
        assertTrue(overwrite.err().contains("is one of the models to average"), overwrite.err());
        assertEquals(before, Files.size(a), "the input model is untouched");
        Run both = cli("average", "--models", a.toString(), b.toString(), "--model", out.toString(), "--last", "2", "--output", notWritten.toString());
        assertEquals(1, both.code());
        assertTrue(both.err().contains("not both"), both.err());
        Run noOutput = cli("average", "--models", a.toString(), b.toString());
        assertEquals(1, noOutput.code());
        assertTrue(noOutput.err().contains("--output"), noOutput.err());
        Run neither = cli("average", "--output", notWritten.toString());
        assertEquals(1, neither.code());
        assertTrue(neither.err().contains("--model DIR --last K"), neither.err());
    }

    /** Broken model files: one clear message naming the file and the problem. */
    @Test
    void modelLoadingErrorsNameTheFileAndProblem() throws Exception {
        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7});
        Run r = cli("eval", "--model", garbage.toString(), "--manifest", manifest.toString(), "--device", "cpu");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(garbage.toString()) && r.err().contains("unreadable checkpoint"), r.err());

        Checkpoint good = Checkpoint.load(out.resolve(ModelBundle.MODEL_FILE));
        BpeTokenizer other = BpeTrainer.train(List.of("the quick brown fox jumps over the lazy dog"), new BpeTrainer.Options(40, false));
        Map<String, String> meta = new LinkedHashMap<>(good.metadata());
        meta.put(Checkpoint.TOKENIZER, other.toJson());
        Path wrongTokenizer = dir.resolve("wrong-tokenizer.safetensors");
        new Checkpoint(good.tensors(), meta).save(wrongTokenizer);
        r = cli("eval", "--model", wrongTokenizer.toString(), "--manifest", manifest.toString(), "--device", "cpu");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(wrongTokenizer.toString()) && r.err().contains("tokenizer mismatch")
                && r.err().contains(other.vocabSize() + " pieces"), r.err());

        Map<String, String> noConfig = new LinkedHashMap<>(good.metadata());
        noConfig.remove(Checkpoint.CONFIG);
        Path configless = dir.resolve("configless.safetensors");
        new Checkpoint(good.tensors(), noConfig).save(configless);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelBundle.load(configless, new ReferenceBackend()));
        assertTrue(e.getMessage().contains(configless.toString()) && e.getMessage().contains("no model config"), e.getMessage());

        Map<String, Tensor> missing = new LinkedHashMap<>(good.tensors());
        missing.remove(missing.keySet().iterator().next());
        Path truncated = dir.resolve("missing-weight.safetensors");
        new Checkpoint(missing, good.metadata()).save(truncated);
        e = assertThrows(IllegalArgumentException.class, () -> ModelBundle.load(truncated, new ReferenceBackend()));
        assertTrue(e.getMessage().contains(truncated.toString()) && e.getMessage().contains("config/checkpoint mismatch")
                && e.getMessage().contains("missing"), e.getMessage());

        Run noModel = cli("eval", "--model", dir.resolve("empty-dir").toString(), "--manifest", manifest.toString());
        assertEquals(1, noModel.code());
        assertTrue(noModel.err().contains("no model file"), noModel.err());
    }
}
