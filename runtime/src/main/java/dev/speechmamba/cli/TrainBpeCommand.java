package dev.speechmamba.cli;

import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.text.BpeTrainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Trains the BPE tokenizer on the transcripts of training manifests. */
@Command(name = "train-bpe", mixinStandardHelpOptions = true,
        description = {"Train a BPE tokenizer (SentencePiece-style ▁ word marker) on the 'text' of JSONL manifests and "
                + "save it as JSON. Ids: 0 = <blank> (CTC), 1 = <unk>, 2 = <sos/eos>, then byte pieces (with byte "
                + "fallback), characters and merges."})
public final class TrainBpeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MANIFEST", description = "Training manifests (JSONL).")
    List<Path> manifests;

    @Option(names = "--vocab-size", defaultValue = "256", description = "Vocabulary size, 16 to 1048576 (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--byte-fallback", negatable = true, defaultValue = "false", fallbackValue = "true",
            description = "Add 256 byte pieces so any text round-trips (needs vocab >= 259 + characters; default: off).")
    boolean byteFallback;

    @Option(names = "--out", required = true, description = "Tokenizer JSON to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<String> lines = new ArrayList<>();
        for (Path m : manifests) for (ManifestEntry e : Manifest.read(m)) lines.add(e.text());
        if (lines.isEmpty()) throw new IllegalArgumentException("no transcripts in " + manifests);
        long start = System.nanoTime();
        BpeTokenizer tok = BpeTrainer.train(lines, new BpeTrainer.Options(vocabSize, byteFallback));
        tok.save(out);
        PrintWriter log = spec.commandLine().getOut();
        log.printf(Locale.ROOT, "trained on %d transcripts in %.1f s: %d pieces (asked %d)%s -> %s%n", lines.size(),
                (System.nanoTime() - start) / 1e9, tok.vocabSize(), vocabSize,
                tok.vocabSize() < vocabSize ? " (stopped early: no pair occurs twice)" : "", out);
        log.printf("example: %s -> %s%n", lines.get(0), String.join(" ", tok.encodeAsPieces(lines.get(0))));
        log.flush();
        return 0;
    }
}
