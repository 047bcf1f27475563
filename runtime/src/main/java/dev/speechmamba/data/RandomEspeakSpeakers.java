package dev.speechmamba.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Synthetic espeak-ng speakers beyond the ~100 variants espeak-ng ships: each is a variant file drawn from a seed
 * (pitch base and range; the nine formants' frequency, strength and width, moved together by a vocal-tract factor
 * and apart by a jitter; voicing and consonant strength; sometimes breathiness, roughness, flutter, an echo, a tone
 * curve or a Klatt voice source), spread over what the shipped variants use. A speaker's name ({@code rnd7-s41}: the
 * 8th speaker of seed 41) is all it takes to make its file again, so a manifest's voice id re-creates its speaker.
 *
 * <p>espeak-ng reads variants only from its data folder, which belongs to the system; each drawn file goes into an
 * overlay of that folder (links to the shipped files, the drawn variant alone in its variants folder) that the
 * command names with {@code --path}. The overlays live in a temporary folder that is removed when the JVM exits.
 */
public final class RandomEspeakSpeakers {
    private static final Pattern NAME = Pattern.compile("rnd(\\d+)-s(\\d+)");
    private static final String DATA_FOLDER = "espeak-ng-data";

    private final Path shippedData;
    private Path overlayRoot;

    /** @param shippedData espeak-ng's own data folder ({@code .../espeak-ng-data}) */
    RandomEspeakSpeakers(Path shippedData) {
        this.shippedData = shippedData;
    }

    /** The variant name of speaker {@code index} of {@code seed}; the seed as an unsigned number. */
    public static String variantName(long seed, int index) {
        if (index < 0) throw new IllegalArgumentException("speaker index must be >= 0, got " + index);
        return "rnd" + index + "-s" + Long.toUnsignedString(seed);
    }

    /** Whether an espeak-ng voice name ({@code en-us+rnd7-s41}) is one of these speakers. */
    public static boolean isRandomSpeaker(String voiceName) {
        int plus = voiceName.indexOf('+');
        return plus >= 0 && NAME.matcher(voiceName.substring(plus + 1)).matches();
    }

    /**
     * The variant file of a speaker, drawn from its seed and index alone: the same name always gives the same file.
     */
    public static String variantFile(String variantName) {
        Matcher m = NAME.matcher(variantName);
        if (!m.matches()) throw new IllegalArgumentException("not a random espeak-ng speaker: '" + variantName + "' (expected rndINDEX-sSEED)");
        int index;
        long seed;
        try {
            index = Integer.parseInt(m.group(1));
            seed = Long.parseUnsignedLong(m.group(2));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("random espeak-ng speaker '" + variantName + "': index or seed out of range", e);
        }
        Random r = new Random(seed * 0x9E37_79B9_7F4A_7C15L + index * 0xC2B2_AE3D_27D4_EB4FL + 0x5EED_5EEDL);
        boolean female = r.nextBoolean();
        StringBuilder f = new StringBuilder();
        f.append("language variant\nname ").append(variantName).append('\n');
        f.append("gender ").append(female ? "female" : "male").append('\n');
        int base = female ? uniformInt(r, 140, 225) : uniformInt(r, 60, 115);
        // One in ten speaks nearly monotone, as a few shipped variants do.
        int span = r.nextDouble() < 0.1 ? uniformInt(r, 5, 15) : uniformInt(r, 20, female ? 90 : 70);
        f.append("pitch ").append(base).append(' ').append(base + span).append('\n');
        // Formant frequencies move together with the vocal tract's length, each a little on its own.
        double tract = female ? uniform(r, 1.04, 1.2) : uniform(r, 0.9, 1.06);
        for (int k = 0; k <= 8; k++) {
            int freq = (int) Math.round(100 * (k == 0 ? uniform(r, 0.9, 1.15) : tract * uniform(r, 0.94, 1.06)));
            int height;
            if (k == 0) height = uniformInt(r, 70, 160);
            else if (k <= 3) height = uniformInt(r, 60, 140);
            else if (k <= 5) height = uniformInt(r, 30, 120);
            else height = r.nextDouble() < 0.4 ? 0 : uniformInt(r, 30, 110);
            int width = uniformInt(r, 60, 160);
            f.append(String.format(Locale.ROOT, "formant %d %d %d %d%n", k, freq, height, width));
        }
        f.append("voicing ").append(uniformInt(r, 60, 140)).append('\n');
        f.append("consonants ").append(uniformInt(r, 60, 150)).append(' ').append(uniformInt(r, 60, 150)).append('\n');
        if (r.nextDouble() < 0.4) f.append("roughness ").append(uniformInt(r, 0, 5)).append('\n');
        if (r.nextDouble() < 0.4) f.append("flutter ").append(uniformInt(r, 0, 25)).append('\n');
        if (r.nextDouble() < 0.2) {
            f.append("breath");
            for (int k = 0; k < 8; k++) f.append(' ').append(uniformInt(r, 0, k < 3 ? 25 : 12));
            f.append('\n');
        }
        if (r.nextDouble() < 0.2) f.append("echo ").append(uniformInt(r, 40, 160)).append(' ').append(uniformInt(r, 5, 20)).append('\n');
        if (r.nextDouble() < 0.3) {
            f.append(String.format(Locale.ROOT, "tone 600 %d 1200 %d 2000 %d%n", uniformInt(r, 60, 255), uniformInt(r, 60, 255),
                    uniformInt(r, 60, 255)));
        }
        if (r.nextDouble() < 0.2) f.append("klatt ").append(uniformInt(r, 1, 6)).append('\n');
        return f.toString();
    }

    /**
     * The folder to pass to espeak-ng's {@code --path} for {@code voiceName}: an overlay of espeak-ng's data folder
     * whose variants folder holds this speaker's drawn file alone. One overlay per speaker, because espeak-ng lists at
     * most 349 voices (N_VOICES_LIST) and one that lists past that does not find the rest: the shipped languages,
     * MBROLA voices and variants come near it already.
     */
    synchronized Path pathFor(String voiceName) {
        String variant = voiceName.substring(voiceName.indexOf('+') + 1);
        try {
            Path root = overlayRoot().resolve(variant);
            if (Files.isDirectory(root)) return root;
            String file = variantFile(variant); // drawn (and its name checked) before anything of the overlay is made
            Path data = Files.createDirectories(root.resolve(DATA_FOLDER));
            linkAllBut(shippedData, data, "voices");
            Path voices = Files.createDirectories(data.resolve("voices"));
            linkAllBut(shippedData.resolve("voices"), voices, "!v");
            Files.writeString(Files.createDirectories(voices.resolve("!v")).resolve(variant), file, StandardCharsets.UTF_8);
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the random espeak-ng speaker " + variant + " into a data overlay", e);
        }
    }

    private Path overlayRoot() throws IOException {
        if (overlayRoot != null) return overlayRoot;
        if (!Files.isDirectory(shippedData.resolve("voices"))) {
            throw new IllegalStateException("espeak-ng's data folder " + shippedData + " has no voices folder: cannot add random speakers to it");
        }
        Path root = Files.createTempDirectory("speech-mamba-espeak-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(root)));
        return overlayRoot = root;
    }

    private static void linkAllBut(Path from, Path into, String except) throws IOException {
        List<Path> entries;
        try (Stream<Path> s = Files.list(from)) {
            entries = s.toList();
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (!name.equals(except)) Files.createSymbolicLink(into.resolve(name), entry.toAbsolutePath());
        }
    }

    private static void deleteQuietly(Path root) {
        try {
            Folders.deleteTree(root); // links are removed, never followed
        } catch (IOException ignored) {
            // a leftover temporary folder of links is harmless
        }
    }

    /** espeak-ng's data folder as {@code espeak-ng --version} reports it ("Data at: ..."), or null. */
    static Path shippedDataFolder(String versionOutput) {
        if (versionOutput == null) return null;
        Matcher m = Pattern.compile("Data at:\\s*(\\S.*)").matcher(versionOutput);
        return m.find() ? Path.of(m.group(1).trim()) : null;
    }

    private static double uniform(Random r, double lo, double hi) { return lo + (hi - lo) * r.nextDouble(); }

    private static int uniformInt(Random r, int lo, int hi) { return lo + r.nextInt(hi - lo + 1); }
}
