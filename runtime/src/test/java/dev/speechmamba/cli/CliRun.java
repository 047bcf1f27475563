package dev.speechmamba.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line ({@link Main#run}) with its exit code and captured output, for tests. */
public record CliRun(int code, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** {code, out, err} as strings, for tests that index the result. */
    public String[] asArray() {
        return new String[] {String.valueOf(code), out, err};
    }
}
