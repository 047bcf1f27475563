package dev.speechmamba.cli;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.lm.KneserNeyTrainer;
import dev.speechmamba.lm.Lexicon;
import dev.speechmamba.lm.LmText;
import dev.speechmamba.lm.NgramLm;
import dev.speechmamba.lm.TokenLanguageModel;
import dev.speechmamba.text.BpeTokenizer;
import dev.speechmamba.transcribe.ModelFolder;
import dev.speechmamba.transcribe.ModelSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Trains an n-gram language model over a model's BPE pieces for beam search (shallow fusion). */
@Command(name = "train-lm", mixinStandardHelpOptions = true,
        description = {"Train a modified Kneser-Ney n-gram language model over the BPE pieces of a model's tokenizer and",
                "write it in compact binary form (.smlm) or as ARPA text (.arpa or .arpa.gz). Beam search adds its",
                "log-probabilities, weighted by --lm-weight, to the decoder's. Put it beside model.safetensors as",
                "lm.smlm (or lm.arpa.gz) and transcribe, eval and",
                "serve use it. Sentences of --exclude sets (e.g. valid and test manifests) are never trained on."})
final class TrainLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|FILE",
            description = "Model whose tokenizer splits the text (default: as transcribe chooses: $SPEECH_MAMBA_MODEL, ./model, the bundled model).")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json to use instead of a model's.")
    Path tokenizerFile;

    @Mixin
    LmTextOptions text = new LmTextOptions();

    @Option(names = "--order", defaultValue = "6", description = "N-gram order (default: ${DEFAULT-VALUE}).")
    int order;

    @Option(names = "--min-count", split = ",", paramLabel = "C1,C2,…",
            description = "Raw count an n-gram of order 1, 2, … needs to be kept; the last value holds for higher orders "
                    + "(default: 1,1,2 — keep all unigrams and bigrams, drop singletons from trigrams up).")
    int[] minCounts = {1, 1, 2};

    @Option(names = "--prune", paramLabel = "THRESHOLD", defaultValue = "0",
            description = "Relative-entropy pruning (Stolcke 1998, as SRILM's -prune): also drop each n-gram whose removal "
                    + "changes the model by less than THRESHOLD nats (default: ${DEFAULT-VALUE}, off). The default model's LM, "
                    + "6-gram over --installed-sentences and --dictionary-text, takes 2e-8: 3.4 M n-grams become 1.5 M "
                    + "(7.9 MB as .smlm become 3.6 MB).")
    double pruneThreshold;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Language model file to write: the compact "
            + "binary form (.smlm, a quarter of the size; values above order 1 in 8-bit codes) or ARPA text (.arpa or .arpa.gz).")
    Path out;

    @Option(names = "--lexicon-out", paramLabel = "FILE",
            description = "Also write a lexicon for beam search (lexicon.txt.gz beside a model's lm.smlm): every word of "
                    + "the LM's training sentences (not of --dictionary-text) and of the --word-list files.")
    Path lexiconOut;

    @Option(names = "--word-list", paramLabel = "FILE",
            description = "A word list (one word per line, e.g. /usr/share/dict/american-english-large) whose words join "
                    + "the lexicon (repeatable; needs --lexicon-out).")
    List<Path> wordLists = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        String problem = text.problem();
        if (problem != null) throw new CommandLine.ParameterException(spec.commandLine(), problem);
        if (!NgramLm.isFileName(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out must end in " + NgramLm.FILE_NAMES + ", got " + out);
        }
        if (!wordLists.isEmpty() && lexiconOut == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--word-list needs --lexicon-out");
        }
        if (lexiconOut != null && !lexiconOut.getFileName().toString().matches(".*\\.txt(\\.gz)?")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lexicon-out must end in .txt or .txt.gz, got " + lexiconOut);
        }
        for (Path w : wordLists) {
            if (!Files.isRegularFile(w)) throw new IllegalArgumentException("--word-list " + w + ": no such file");
        }
        KneserNeyTrainer.Options lmOptions = new KneserNeyTrainer.Options(order, minCounts, pruneThreshold); // checked before any work
        BpeTokenizer tokenizer = tokenizer();
        LmText lmText = text.inDomain();
        // The lexicon is the words of the text the LM is for: a dictionary's rare and archaic words would weaken it.
        List<String> lexiconSentences = lmText.sentences();
        text.addDictionary(lmText, "train-lm", spec.commandLine().getErr());
        List<String> sentences = lmText.sentences();
        int[] weights = lmText.weights();
        if (sentences.isEmpty()) throw new IllegalArgumentException("no training sentences left after --exclude");
        List<List<String>> pieces = new ArrayList<>(sentences.size());
        long tokens = 0;
        for (String s : sentences) {
            List<String> p = TokenLanguageModel.lmWords(tokenizer, s);
            tokens += p.size();
            pieces.add(p);
        }
        PrintWriter log = spec.commandLine().getOut();
        log.printf(Locale.ROOT, "%d sentences (%d BPE tokens); left out %d that %d held-out sentences contain%n",
                sentences.size(), tokens, lmText.droppedForExclusion(), lmText.heldOutSentences());
        log.flush();
        long start = System.nanoTime();
        NgramLm lm = new KneserNeyTrainer(lmOptions).train(pieces, weights, TokenLanguageModel.pieceVocabulary(tokenizer));
        new TokenLanguageModel(lm, tokenizer); // the LM must fit the tokenizer it was made with
        lm.write(out);
        log.printf(Locale.ROOT, "%s in %.1f s -> %s (%,d bytes)%n", lm, (System.nanoTime() - start) / 1e9, out, Files.size(out));
        if (!lmText.heldOut().isEmpty()) {
            List<List<String>> heldOut = lmText.heldOut().stream().map(s -> TokenLanguageModel.lmWords(tokenizer, s)).toList();
            log.printf(Locale.ROOT, "perplexity per BPE token on the %d held-out sentences: %.3f%n", heldOut.size(), lm.perplexity(heldOut));
        }
        if (lexiconOut != null) writeLexicon(lexiconSentences, lmText.heldOut(), log);
        log.flush();
        return 0;
    }

    /** The lexicon: the LM text's words and the word lists'; says how many held-out words it lacks. */
    private void writeLexicon(List<String> sentences, List<String> heldOut, PrintWriter log) throws IOException {
        // LmText's sentences and a read lexicon's words are already normalized: split, not normalized again.
        List<String> words = new ArrayList<>();
        for (String s : sentences) words.addAll(List.of(s.split(" ")));
        StringBuilder sources = new StringBuilder("words of " + sentences.size() + " LM training sentences");
        for (Path list : wordLists) {
            words.addAll(List.of(Lexicon.read(list).words()));
            sources.append(", ").append(list);
        }
        Lexicon lexicon = Lexicon.of(words);
        lexicon.write(lexiconOut, "speech-mamba train-lm lexicon: " + sources);
        log.printf(Locale.ROOT, "lexicon of %,d words (%s) -> %s (%,d bytes)%n", lexicon.size(), sources, lexiconOut, Files.size(lexiconOut));
        if (!heldOut.isEmpty()) {
            long all = 0, unknown = 0;
            for (String s : heldOut) {
                for (String w : s.split(" ")) {
                    all++;
                    if (!lexicon.contains(w)) unknown++;
                }
            }
            log.printf(Locale.ROOT, "held-out words the lexicon lacks: %d of %d (%.2f%%)%n", unknown, all, 100.0 * unknown / all);
        }
    }

    private BpeTokenizer tokenizer() throws Exception {
        if (tokenizerFile != null) {
            if (model != null) throw new CommandLine.ParameterException(spec.commandLine(), "give --model or --tokenizer, not both");
            return BpeTokenizer.load(tokenizerFile);
        }
        return tokenizerOf(model);
    }

    /** The tokenizer of the model {@code transcribe} would choose for {@code model} (null: the usual order). */
    static BpeTokenizer tokenizerOf(Path model) throws IOException {
        try (Backend cpu = Backends.create("cpu")) {
            ModelFolder.Loaded loaded = ModelSource.resolve(model).load(cpu);
            loaded.model().close();
            return loaded.tokenizer();
        }
    }
}
