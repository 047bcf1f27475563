package dev.speechmamba.data;

/**
 * One synthetic speaker: an engine and that engine's voice name (for espeak-ng an accent plus an optional
 * {@code +variant}, e.g. {@code en-gb-x-rp+f2}). {@link #id()} is unique across engines and is what the
 * train/valid/test split holds apart.
 */
public record Voice(String engine, String name) implements Comparable<Voice> {
    public Voice {
        if (engine == null || engine.isBlank()) throw new IllegalArgumentException("voice engine is blank");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("voice name is blank for engine " + engine);
    }

    /** {@code engine:name}, e.g. {@code espeak-ng:en-us+m3}. */
    public String id() { return engine + ":" + name; }

    /**
     * The way the voice is synthesized, which the train/valid/test split balances: the engine, except that
     * espeak-ng's mbrola voices ({@code mb-*}: diphone concatenation) are a kind of their own beside its
     * formant voices.
     */
    public String kind() { return engine.equals("espeak-ng") && name.startsWith("mb-") ? "espeak-ng/mbrola" : engine; }

    /** A file-name-safe form of {@link #id()}. */
    public String folderName() { return id().replaceAll("[^A-Za-z0-9_.+-]", "_"); }

    /** Parses {@link #id()}. */
    public static Voice parse(String id) {
        int colon = id == null ? -1 : id.indexOf(':');
        if (colon <= 0 || colon == id.length() - 1) throw new IllegalArgumentException("voice id must look like engine:name, got \"" + id + "\"");
        return new Voice(id.substring(0, colon), id.substring(colon + 1));
    }

    @Override
    public int compareTo(Voice o) { return id().compareTo(o.id()); }

    @Override
    public String toString() { return id(); }
}
