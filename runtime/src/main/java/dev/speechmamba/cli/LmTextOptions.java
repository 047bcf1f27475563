package dev.speechmamba.cli;

import dev.speechmamba.data.DictionaryText;
import dev.speechmamba.data.SentenceSource;
import dev.speechmamba.lm.LmText;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Which sentences a language model is trained on and which it must never see (train-lm, train-neural-lm). */
final class LmTextOptions {
    @Option(names = "--text", paramLabel = "FILE", description = "Text file, one sentence per line (repeatable).")
    List<Path> texts = new ArrayList<>();

    @Option(names = "--manifest", paramLabel = "MANIFEST", description = "Train on a manifest's transcripts (repeatable).")
    List<Path> manifests = new ArrayList<>();

    @Option(names = "--installed-sentences",
            description = "Also train on the sentences synth-corpus draws from (Debian's fortunes and WordNet examples).")
    boolean installed;

    @Option(names = "--dictionary-text",
            description = "Also train on dictionary text: WordNet's glosses and, with dict-gcide installed, GCIDE's definitions "
                    + "and quotations, less the glosses of synsets whose examples --exclude holds (ci/install-tts.sh installs both).")
    boolean dictionaryText;

    @Option(names = "--in-domain-weight", paramLabel = "K", defaultValue = "1",
            description = "Count each sentence of --text, --manifest and --installed-sentences K times against --dictionary-text's "
                    + "once, so that the dictionary broadens the LM without outweighing the text it is for (default: ${DEFAULT-VALUE}).")
    int inDomainWeight;

    @Option(names = "--exclude", paramLabel = "FILE",
            description = "Never train on a sentence of this manifest (.jsonl) or text file (repeatable): the evaluation sets.")
    List<Path> excluded = new ArrayList<>();

    /** A usage problem with these options, or null. */
    String problem() {
        if (texts.isEmpty() && manifests.isEmpty() && !installed && !dictionaryText) {
            return "no text: give --text, --manifest, --installed-sentences or --dictionary-text";
        }
        if (inDomainWeight < 1) return "--in-domain-weight must be >= 1, got " + inDomainWeight;
        return null;
    }

    /** The in-domain sentences (not the dictionary's), less every held-out one. */
    LmText inDomain() throws IOException {
        LmText text = new LmText();
        for (Path t : texts) text.addTextFile(t, inDomainWeight);
        for (Path m : manifests) {
            if (!Files.isRegularFile(m)) throw new IllegalArgumentException("manifest " + m + " does not exist");
            text.addManifest(m, inDomainWeight);
        }
        if (installed) {
            List<String> s = SentenceSource.loadInstalled();
            if (s.isEmpty()) throw new IllegalArgumentException("--installed-sentences: fortunes / wordnet-base are not installed (ci/install-tts.sh)");
            text.add(s, inDomainWeight);
        }
        for (Path e : excluded) text.exclude(e);
        return text;
    }

    /** Adds the dictionary text to {@code text} when asked for; warns on {@code err} when GCIDE is missing. */
    void addDictionary(LmText text, String command, PrintWriter err) throws IOException {
        if (!dictionaryText) return;
        Optional<Path> gcide = DictionaryText.installedGcide();
        List<String> d = DictionaryText.loadInstalled(gcide, Set.copyOf(text.heldOut()));
        if (d.isEmpty()) throw new IllegalArgumentException("--dictionary-text: wordnet-base is not installed (ci/install-tts.sh)");
        if (gcide.isEmpty()) {
            err.println(command + ": warning: GCIDE is not installed (" + DictionaryText.GCIDE_PLACES + "), WordNet's glosses only (ci/install-tts.sh)");
        }
        text.add(d);
    }
}
