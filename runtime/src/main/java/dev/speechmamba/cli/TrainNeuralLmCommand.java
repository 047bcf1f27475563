package dev.speechmamba.cli;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.lm.LmText;
import dev.speechmamba.lm.NeuralLmTraining;
import dev.speechmamba.model.NeuralLm;
import dev.speechmamba.model.NeuralLmConfig;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.train.Checkpoint;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** Trains a causal Transformer LM over a model's BPE pieces, for beam search beside the n-gram LM. */
@Command(name = "train-neural-lm", mixinStandardHelpOptions = true,
        description = {"Train a small causal Transformer language model over the BPE pieces of a model's tokenizer",
                "(the text options are train-lm's) and write it as safetensors. Beam search fuses it with the n-gram LM:",
                "put it beside model.safetensors as nlm.safetensors, or name it with --neural-lm."})
final class TrainNeuralLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Model whose tokenizer splits the text (default: as transcribe chooses: $SPEECH_MAMBA_MODEL, ./model, the bundled model).")
    Path model;

    @Mixin
    LmTextOptions text = new LmTextOptions();

    @Option(names = "--d-model", defaultValue = "256", description = "Width (default: ${DEFAULT-VALUE}).")
    int dModel;

    @Option(names = "--layers", defaultValue = "4", description = "Transformer layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--ffn-dim", defaultValue = "1024", description = "Feed-forward width (default: ${DEFAULT-VALUE}).")
    int ffnDim;

    @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout (default: ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--steps", required = true, description = "Optimizer steps in all; the learning rate decays to 0 at the last.")
    int steps;

    @Option(names = "--batch-tokens", defaultValue = "4096", description = "Pieces per batch, padding included (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup-steps", defaultValue = "300", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--max-pieces", defaultValue = "96",
            description = "Leave out training sentences of more pieces than this (default: ${DEFAULT-VALUE}).")
    int maxPieces;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights, shuffling and dropout (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda, reference or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--save-every", defaultValue = "500", description = "Also write --out every this many steps (default: ${DEFAULT-VALUE}; 0 = only at the end).")
    int saveEvery;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Weights file to write (.safetensors).")
    Path out;

    @Override
    public Integer call() throws Exception {
        String problem = text.problem();
        if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), problem);
        if (!out.getFileName().toString().endsWith(".safetensors")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out must end in .safetensors, got " + out);
        }
        if (maxPieces < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--max-pieces must be >= 1, got " + maxPieces);
        if (saveEvery < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--save-every must be >= 0, got " + saveEvery);
        NeuralLmTraining.Options options;
        NeuralLmConfig shape;
        try {
            options = new NeuralLmTraining.Options(batchTokens, steps, lr, warmupSteps, 1.0, seed, 100);
            shape = new NeuralLmConfig(2, 1, dModel, layers, heads, ffnDim, dropout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter log = spec.commandLine().getOut();
        BpeTokenizer tokenizer = TrainLmCommand.tokenizerOf(model);
        LmText lmText = text.inDomain();
        text.addDictionary(lmText, "train-neural-lm", spec.commandLine().getErr());
        List<String> sentences = lmText.sentences();
        int[] weights = lmText.weights();
        if (sentences.isEmpty()) throw new IllegalArgumentException("no training sentences left after --exclude");
        List<int[]> train = new ArrayList<>();
        long pieces = 0;
        int tooLong = 0;
        for (int i = 0; i < sentences.size(); i++) {
            int[] ids = tokenizer.encode(sentences.get(i));
            if (ids.length == 0) continue;
            if (ids.length > maxPieces) {
                tooLong++;
                continue;
            }
            for (int k = 0; k < weights[i]; k++) {
                train.add(ids);
                pieces += ids.length + 1;
            }
        }
        List<int[]> heldOut = lmText.heldOut().stream().map(tokenizer::encode).filter(ids -> ids.length > 0).toList();
        log.printf(Locale.ROOT, "%d training sentences (%d pieces with <eos>, in-domain ones counted %d times); left out %d longer than %d pieces "
                + "and %d held-out ones; %.2f epochs in %d steps of about %d pieces%n", train.size(), pieces, text.inDomainWeight,
                tooLong, maxPieces, lmText.droppedForExclusion(), (double) steps * batchTokens / pieces, steps, batchTokens);
        log.flush();
        NeuralLmConfig cfg = shape.withVocabulary(tokenizer.vocabSize(), tokenizer.sosEosId());
        long start = System.nanoTime();
        try (Backend backend = Backends.create(device); NeuralLm lm = new NeuralLm(backend, cfg, seed)) {
            log.printf(Locale.ROOT, "neural LM %s: %,d parameters, on %s%n", cfg.toJson(), lm.parameters().count(), device);
            log.flush();
            new NeuralLmTraining(options).train(lm, train, log, step -> {
                if (saveEvery > 0 && step % saveEvery == 0 && step < steps) save(lm, step, tokenizer);
            });
            save(lm, steps, tokenizer);
            log.printf(Locale.ROOT, "trained in %.1f min -> %s (%,d bytes)%n", (System.nanoTime() - start) / 60e9, out, Files.size(out));
            if (!heldOut.isEmpty()) {
                log.printf(Locale.ROOT, "perplexity per BPE piece (<eos> included) on the %d held-out sentences: %.3f%n", heldOut.size(),
                        NeuralLmTraining.perplexity(lm, heldOut, 64));
            }
        }
        log.flush();
        return 0;
    }

    private void save(NeuralLm lm, int step, BpeTokenizer tokenizer) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(Checkpoint.STEP, Integer.toString(step));
        meta.put(Checkpoint.TOKENIZER, tokenizer.toJson());
        try {
            lm.toCheckpoint(meta).save(out, true); // BF16: what ships; the run itself keeps F32 weights
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }
}
