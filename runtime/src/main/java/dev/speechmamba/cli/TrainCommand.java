package dev.speechmamba.cli;

import dev.speechmamba.trainer.Evaluator;
import dev.speechmamba.trainer.TrainOptions;
import dev.speechmamba.trainer.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code speech-mamba train}: trains a Speech-Mamba or Transformer model from NeMo manifests. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an ASR model on a NeMo JSONL manifest: BPE tokenizer and global CMVN prepared in --out, "
                + "dynamic batching by audio duration with length buckets, speed perturbation and SpecAugment, "
                + "Adam (0.9, 0.98, 1e-9) with Noam warm-up, clipping, validation loss and CTC-greedy WER per epoch, "
                + "atomic checkpoints, exact --resume, and an exported model.safetensors averaging the last k checkpoints.",
                "Writes DIR/tokenizer.json, cmvn.json, checkpoints/step-N.safetensors, model.safetensors, metrics.jsonl, loss.png."})
public final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "NAME|FILE.json", completionCandidates = NamedConfigs.class,
            description = "Model config: a named one (${COMPLETION-CANDIDATES}) or a JSON file.")
    String config;

    @Option(names = "--train", required = true, paramLabel = "MANIFEST", description = "Training manifest (JSONL).")
    Path train;

    @Option(names = "--valid", paramLabel = "MANIFEST", description = "Validation manifest (JSONL); loss and WER after each epoch.")
    Path valid;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--epochs", defaultValue = "10", description = "Epochs in total (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", description = "Stop after N optimizer steps in total; 0 = no limit.")
    long maxSteps;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda, reference or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights, data order, augmentation and dropout.")
    long seed;

    @Option(names = "--vocab-size", defaultValue = "256", description = "BPE vocabulary when a tokenizer is trained (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--batch-seconds", defaultValue = "60", description = "Padded audio seconds per batch (default: ${DEFAULT-VALUE}).")
    double batchSeconds;

    @Option(names = "--bucket-size", defaultValue = "256", description = "Utterances per length bucket (default: ${DEFAULT-VALUE}).")
    int bucketSize;

    @Option(names = "--accum-steps", defaultValue = "1", description = "Batches per optimizer step (default: ${DEFAULT-VALUE}).")
    int accumSteps;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Peak learning rate of the Noam schedule (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--warmup-steps", defaultValue = "1000", description = "Noam warm-up steps (default: ${DEFAULT-VALUE}).")
    int warmupSteps;

    @Option(names = "--clip", defaultValue = "5.0", description = "Gradient-norm clipping (default: ${DEFAULT-VALUE}).")
    double clip;

    @Option(names = "--ckpt-every", defaultValue = "0", description = "Checkpoint every N steps (besides epoch ends and the end); 0 = off.")
    long ckptEvery;

    @Option(names = "--keep-checkpoints", defaultValue = "5", description = "Newest checkpoints to keep (default: ${DEFAULT-VALUE}).")
    int keepCheckpoints;

    @Option(names = "--average-last", defaultValue = "1", description = "model.safetensors averages the last K checkpoints (default: ${DEFAULT-VALUE}).")
    int averageLast;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --out, exactly.")
    boolean resume;

    @Option(names = "--no-augment", description = "Turn speed perturbation and SpecAugment off.")
    boolean noAugment;

    @Option(names = "--dropout", description = "Override the config's dropout.")
    Float dropout;

    @Option(names = "--threads", description = "Feature-extraction threads (default: half the cores).")
    Integer threads;

    @Option(names = "--attention-window", defaultValue = "-1", paramLabel = "W",
            description = "Train with the encoder's self-attention limited to ±W frames (-1: full; default: ${DEFAULT-VALUE}).")
    int attentionWindow;

    @Option(names = "--global-tokens", defaultValue = "0", paramLabel = "G",
            description = "With --attention-window: the first G frames attend to and are attended by all (default: ${DEFAULT-VALUE}).")
    int globalTokens;

    @Option(names = "--init-from", paramLabel = "MODEL",
            description = "Start from this model's weights, tokenizer and CMVN (a model file, training folder or checkpoint): "
                    + "fine-tuning, or continuing on a larger corpus. Optimizer, schedule and data order start fresh. "
                    + "A --config that only adds encoder or decoder layers to the model's grows it: the new layers come "
                    + "after its own and start as the identity.")
    Path initFrom;

    @Option(names = "--vtlp", defaultValue = "0", paramLabel = "W",
            description = "Vocal-tract length perturbation: featurize each training utterance with a filterbank warped by a "
                    + "factor drawn from [1-W, 1+W] (0.1 is the usual range; 0 = off; default: ${DEFAULT-VALUE}).")
    double vtlp;

    @Option(names = "--edge-silence", defaultValue = "0", paramLabel = "SECONDS",
            description = "Pad half the training utterances with 0 to SECONDS of silence (digital, or a noise floor "
                    + "45-75 dB down) before and after, so the model hears words after silence as real recordings and "
                    + "segments of long ones have them, not only at the very start as TTS writes them (0.5 is usual; "
                    + "0 = off; default: ${DEFAULT-VALUE}).")
    double edgeSilence;

    @Option(names = "--random-eq", defaultValue = "0", paramLabel = "DB",
            description = "Hear each training utterance through a random equalizer: a smooth gain curve over the "
                    + "filterbank whose largest boost or cut is drawn from [0, DB] dB, so unheard voices' timbre is less "
                    + "of a surprise (6 is usual; 0 = off; default: ${DEFAULT-VALUE}).")
    double randomEq;

    @Option(names = "--freeze", paramLabel = "REGEX",
            description = "Keep the parameters whose names match this regular expression fixed, e.g. 'decoder\\..*' "
                    + "to fine-tune only the front end and encoder (model-info lists the names; default: none).")
    String freeze;

    @Option(names = "--quiet", description = "No progress bar or log lines on stderr.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        int workers = threads != null ? threads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        TrainOptions options = new TrainOptions(config, train, valid, out, device, epochs, maxSteps, seed, vocabSize,
                batchSeconds, bucketSize, accumSteps, lr, warmupSteps, clip, ckptEvery,
                Math.max(keepCheckpoints, averageLast), averageLast, resume, !noAugment, dropout, workers,
                quiet ? null : System.err, attentionWindow, globalTokens, initFrom, vtlp, edgeSilence, randomEq, freeze);
        Trainer.Result r = new Trainer(options).run();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf(Locale.ROOT, "trained %d steps, %d epochs; model: %s%n", r.steps(), r.epochsCompleted(), r.model());
        if (!r.validations().isEmpty()) {
            Evaluator.Result v = r.validations().getLast();
            stdout.printf(Locale.ROOT, "last validation: loss %.4f, WER %.2f%% (S=%d D=%d I=%d N=%d)%n", v.loss(),
                    100 * v.wer(), v.counts().substitutions(), v.counts().deletions(), v.counts().insertions(),
                    v.counts().referenceWords());
        }
        stdout.flush();
        return 0;
    }
}
