package dev.speechmamba.bench;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Passes JMH's console output to a writer line by line, dropping lines equal to one of
 * {@code dropped}. JMH echoes what a forked JVM prints at start-up, and the JVM announces the
 * incubating Vector API there on every fork with no option to silence it.
 */
final class LineFilterOutputStream extends OutputStream {
    private final PrintWriter target;
    private final Set<String> dropped;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    LineFilterOutputStream(PrintWriter target, Set<String> dropped) {
        this.target = target;
        this.dropped = Set.copyOf(dropped);
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emitLine();
        } else {
            line.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) write(bytes[i]);
    }

    private void emitLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.endsWith("\r")) text = text.substring(0, text.length() - 1);
        if (!dropped.contains(text)) target.println(text);
    }

    @Override
    public synchronized void flush() { target.flush(); }

    @Override
    public synchronized void close() {
        if (line.size() > 0) emitLine();
        target.flush();
    }
}
