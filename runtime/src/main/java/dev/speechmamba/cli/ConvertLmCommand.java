package dev.speechmamba.cli;

import dev.speechmamba.lm.NgramLm;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Rewrites an n-gram language model in another file form (ARPA text to the compact form, or back). */
@Command(name = "convert-lm", mixinStandardHelpOptions = true,
        description = {"Rewrite an n-gram language model in the form its new name says: compact binary (.smlm) or ARPA",
                "text (.arpa, .arpa.gz). An ARPA model from train-lm, SRILM or KenLM over a model's BPE pieces becomes",
                "an lm.smlm to put beside model.safetensors; a .smlm becomes ARPA to read or to use elsewhere."})
final class ConvertLmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "Language model to read (.smlm, .arpa or .arpa.gz).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "File to write (.smlm, .arpa or .arpa.gz); not IN.")
    Path out;

    @Override
    public Integer call() throws Exception {
        for (Path p : new Path[] {in, out}) {
            if (!NgramLm.isFileName(p)) throw new CommandLine.ParameterException(spec.commandLine(), p + ": a language model file must end in " + NgramLm.FILE_NAMES);
        }
        if (!Files.isRegularFile(in)) throw new IllegalArgumentException(in + ": no such file");
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "OUT is IN (" + in + "): write to another file, so the original stays");
        }
        long start = System.nanoTime();
        NgramLm lm = NgramLm.read(in);
        double readSeconds = (System.nanoTime() - start) / 1e9;
        lm.write(out);
        PrintWriter log = spec.commandLine().getOut();
        log.printf(Locale.ROOT, "%s: read %s (%,d bytes) in %.1f s, wrote %s (%,d bytes)%n", lm, in, Files.size(in), readSeconds,
                out, Files.size(out));
        log.flush();
        return 0;
    }
}
