package dev.speechmamba.cli;

import dev.speechmamba.data.ManifestMerge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Joins training manifests of several corpora, leaving out what evaluation sets hold. */
@Command(name = "merge-manifests", mixinStandardHelpOptions = true,
        description = {"Join manifests (e.g. the train.jsonl of two synthesized corpora) into one, leaving out every entry "
                + "whose voice or transcript occurs in a --hold-out manifest (e.g. the other corpus's valid.jsonl and "
                + "test.jsonl), so that those sets stay unseen, and every entry whose transcript occurs in a "
                + "--hold-out-sentences manifest (its voices may be trained on, its sentences stay unheard). Relative audio "
                + "paths are rewritten relative to the output's folder."})
public final class MergeManifestsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "MANIFEST", description = "Manifests to join, in this order.")
    List<Path> inputs;

    @Option(names = "--hold-out", paramLabel = "MANIFEST",
            description = "Leave out entries sharing a voice or transcript with this manifest (repeatable).")
    List<Path> heldOut = new ArrayList<>();

    @Option(names = "--hold-out-sentences", paramLabel = "MANIFEST|LIST",
            description = "Leave out entries sharing a transcript with this manifest (its long recordings' segments too) "
                    + "or sentence list (one a line), keeping its voices (repeatable). Transcripts compare normalized.")
    List<Path> heldOutSentences = new ArrayList<>();

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The merged manifest to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path p : concat()) {
            if (!Files.isRegularFile(p)) throw new IllegalArgumentException("manifest " + p + " does not exist");
        }
        ManifestMerge.Summary s = ManifestMerge.merge(inputs, heldOut, heldOutSentences, out);
        PrintWriter log = spec.commandLine().getOut();
        for (ManifestMerge.InputSummary in : s.inputs()) {
            log.printf(Locale.ROOT, "%s: kept %d (%.3f h), left out %d for a held-out voice and %d for a held-out transcript%n",
                    in.manifest(), in.kept(), in.keptSeconds() / 3600, in.droppedForVoice(), in.droppedForText());
        }
        log.printf(Locale.ROOT, "wrote %d entries (%.3f h) -> %s (held out: %d voices, %d transcripts)%n", s.kept(),
                s.keptHours(), s.out(), s.heldOutVoices(), s.heldOutTexts());
        log.flush();
        return 0;
    }

    private List<Path> concat() {
        List<Path> all = new ArrayList<>(inputs);
        all.addAll(heldOut);
        all.addAll(heldOutSentences);
        return all;
    }
}
