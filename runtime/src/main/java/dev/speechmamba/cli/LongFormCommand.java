package dev.speechmamba.cli;

import dev.speechmamba.data.LongFormBuilder;
import dev.speechmamba.data.LongFormBuilder.Target;
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

/** Builds long-form recordings from a manifest of single utterances. */
@Command(name = "long-form", mixinStandardHelpOptions = true,
        description = {"Concatenate consecutive utterances of a manifest (e.g. a synth-corpus test.jsonl) with short "
                + "silences into 45-60 s recordings of one voice (the paper's recipe) and into 10-, 30- and 60-minute "
                + "recordings (voices may change inside those, each contributing consecutive utterances). Writes "
                + "OUT/longform-*/ WAVs, OUT/longform-*.jsonl (joined transcript + per-utterance segments) and "
                + "OUT/longform-*-segments.jsonl (NeMo offset entries)."})
public final class LongFormCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MANIFEST", description = "JSONL manifest of single utterances.")
    Path manifest;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--minutes", split = ",", defaultValue = "10,30,60",
            description = "Minute-long sets to build besides 45-60 s (default: ${DEFAULT-VALUE}; 0 for none).")
    List<Integer> minutes;

    @Option(names = "--no-paper-set", description = "Skip the 45-60 s set.")
    boolean noPaperSet;

    @Option(names = "--gap", split = ",", defaultValue = "0.2,0.6", description = "Silence between utterances, min,max seconds (default: ${DEFAULT-VALUE}).")
    List<Double> gap;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the silence lengths (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(manifest)) throw new IllegalArgumentException("manifest " + manifest + " does not exist");
        if (gap.size() != 2) throw new IllegalArgumentException("--gap needs two numbers min,max, got " + gap);
        List<Target> targets = new ArrayList<>();
        if (!noPaperSet) targets.add(Target.paper());
        for (int m : minutes) if (m != 0) targets.add(Target.minutes(m));
        if (targets.isEmpty()) throw new IllegalArgumentException("nothing to build: --no-paper-set and --minutes 0");
        LongFormBuilder builder = new LongFormBuilder(gap.get(0), gap.get(1), seed);
        PrintWriter log = spec.commandLine().getOut();
        for (Target t : targets) {
            LongFormBuilder.Result r = builder.build(manifest, t, out);
            log.printf(Locale.ROOT, "%-18s %4d recordings, %.3f h from %d utterances -> %s%s%n", t.name(), r.recordings(),
                    r.seconds() / 3600, r.utterancesUsed(), r.manifest(),
                    r.recordings() == 0 ? "  (not enough audio for one " + t.name() + " recording)" : "");
            log.flush();
        }
        return 0;
    }
}
