package dev.speechmamba.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Debian TTS engines: espeak-ng (with mbrola voices when installed), flite, festival and pico. */
public final class TtsEngines {
    private TtsEngines() { }

    /** Every engine this project knows, installed or not. */
    public static List<TtsEngine> all(int espeakVariantsPerAccent, long seed) {
        return all(espeakVariantsPerAccent, seed, false);
    }

    /**
     * Every engine this project knows; with {@code accentedMbrola}, espeak-ng also offers its English voices that
     * non-English MBROLA speakers speak ({@code mb-de1-en}, {@code mb-fr4-en}...). They are off by default so that a
     * corpus made with a seed before they existed splits its voices as it did.
     */
    public static List<TtsEngine> all(int espeakVariantsPerAccent, long seed, boolean accentedMbrola) {
        return all(espeakVariantsPerAccent, seed, accentedMbrola, false);
    }

    /**
     * As {@link #all(int, long, boolean)}; with {@code accentedFestival}, festival also offers English spoken with
     * the diphones of its non-English speakers ({@code el_diphone-en}, {@code czech_ph-en}...), off by default for
     * the same reason.
     */
    public static List<TtsEngine> all(int espeakVariantsPerAccent, long seed, boolean accentedMbrola, boolean accentedFestival) {
        return all(espeakVariantsPerAccent, seed, accentedMbrola, accentedFestival, 0);
    }

    /**
     * As {@link #all(int, long, boolean, boolean)}, with {@code randomEspeakSpeakers} synthetic espeak-ng speakers
     * ({@link RandomEspeakSpeakers}) on top of its shipped voices, each with an accent drawn from the seed.
     */
    public static List<TtsEngine> all(int espeakVariantsPerAccent, long seed, boolean accentedMbrola, boolean accentedFestival,
                                      int randomEspeakSpeakers) {
        return List.of(new EspeakNg(espeakVariantsPerAccent, seed, accentedMbrola, randomEspeakSpeakers), new Flite(),
                new Festival(System.getenv(Festival.LIBDIR_VARIABLE), accentedFestival), new Pico());
    }

    /**
     * The same engines offering only the voices whose id ({@code engine:name}) matches {@code voiceIds} in full;
     * an engine left with none reports which pattern removed its voices.
     */
    public static List<TtsEngine> onlyVoices(List<TtsEngine> engines, Pattern voiceIds) {
        return engines.stream().<TtsEngine>map(e -> new MatchingVoices(e, voiceIds)).toList();
    }

    /** An engine restricted to the voices whose id matches a pattern. */
    private static final class MatchingVoices implements TtsEngine {
        private final TtsEngine engine;
        private final Pattern voiceIds;

        MatchingVoices(TtsEngine engine, Pattern voiceIds) {
            this.engine = engine;
            this.voiceIds = voiceIds;
        }

        @Override public String name() { return engine.name(); }

        @Override
        public List<Voice> voices() {
            return engine.voices().stream().filter(v -> voiceIds.matcher(v.id()).matches()).toList();
        }

        @Override
        public String unavailableReason() {
            String reason = engine.unavailableReason();
            if (reason != null) return reason;
            return voices().isEmpty() ? "none of its " + engine.voices().size() + " voices matches --voices '" + voiceIds.pattern() + "'" : null;
        }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            return engine.command(voice, textFile, outWav, rate, pitch, formant);
        }
    }

    /** Runs a short command and returns its stdout, or null when it cannot run or fails. */
    static String probe(List<String> command) {
        Path output = null;
        try {
            // Output goes to a file so that a program that never closes stdout cannot block us past the timeout.
            output = Files.createTempFile("tts-probe-", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? Files.readString(output, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover temp file is harmless
                }
            }
        }
    }

    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(":")) if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) return true;
        return false;
    }

    private static String fmt(double v) { return String.format(Locale.ROOT, "%.3f", v); }

    /**
     * espeak-ng: the English accents it ships (en-us, en-gb, en-gb-scotland, en-gb-x-rp, en-029...), each alone
     * and with a seeded choice of {@code +variant}s (m1..m7, f1..f5, klatt, named variants), plus mbrola voices
     * ({@code mb-us1}...) whose voice data and the mbrola program are installed, and, when asked for, the English
     * voices of non-English MBROLA speakers ({@code mb-de1-en}: espeak-ng's English pronunciation mapped onto the
     * speaker's phonemes, so English with that speaker's accent and timbre), and, when asked for, speakers drawn at
     * random ({@link RandomEspeakSpeakers}: {@code en-gb+rnd7-s61}). Native rate ({@code -s}) and pitch
     * ({@code -p}) controls.
     */
    static final class EspeakNg implements TtsEngine {
        private static final int DEFAULT_WPM = 175, DEFAULT_PITCH = 50;
        private final int variantsPerAccent;
        private final long seed;
        private final boolean accentedMbrola;
        private final int randomSpeakers;
        private List<Voice> voices;
        private String reason;
        private RandomEspeakSpeakers randomVariants;

        EspeakNg(int variantsPerAccent, long seed) {
            this(variantsPerAccent, seed, false);
        }

        EspeakNg(int variantsPerAccent, long seed, boolean accentedMbrola) {
            this(variantsPerAccent, seed, accentedMbrola, 0);
        }

        EspeakNg(int variantsPerAccent, long seed, boolean accentedMbrola, int randomSpeakers) {
            if (variantsPerAccent < 0) throw new IllegalArgumentException("variants per accent must be >= 0, got " + variantsPerAccent);
            if (randomSpeakers < 0) throw new IllegalArgumentException("random espeak-ng speakers must be >= 0, got " + randomSpeakers);
            this.variantsPerAccent = variantsPerAccent;
            this.seed = seed;
            this.accentedMbrola = accentedMbrola;
            this.randomSpeakers = randomSpeakers;
        }

        @Override public String name() { return "espeak-ng"; }

        @Override
        public synchronized List<Voice> voices() {
            if (voices != null) return voices;
            String list = onPath("espeak-ng") ? probe(List.of("espeak-ng", "--voices=en")) : null;
            if (list == null) {
                reason = "espeak-ng is not installed (apt-get install espeak-ng)";
                return voices = List.of();
            }
            TreeSet<String> accents = new TreeSet<>();
            TreeSet<String> mbrola = new TreeSet<>();
            for (String line : list.split("\n")) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length < 5 || cols[0].equals("Pty")) continue;
                String file = cols[4];
                if (file.startsWith("gmw/")) {
                    accents.add(cols[1]);
                } else if (file.startsWith("mb/")) {
                    String mbVoice = file.substring(3); // mb-us1, mb-en1, mb-de1-en
                    String dataName = mbVoice.substring(3).replaceAll("-en$", "");
                    if (onPath("mbrola") && mbrolaVoiceInstalled(dataName)) {
                        if (accentedMbrola || isNativeEnglishMbrola(mbVoice)) mbrola.add(mbVoice);
                    }
                }
            }
            String variantList = probe(List.of("espeak-ng", "--voices=variant"));
            List<String> variants = new ArrayList<>();
            if (variantList != null) {
                for (String line : variantList.split("\n")) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length >= 5 && cols[4].startsWith("!v/")) variants.add(cols[4].substring(3));
                }
            }
            variants = variants.stream().distinct().sorted().toList();
            List<Voice> out = new ArrayList<>();
            java.util.Random rng = new java.util.Random(seed ^ 0x5EEDL);
            for (String accent : accents) {
                out.add(new Voice(name(), accent));
                List<String> shuffled = new ArrayList<>(variants);
                java.util.Collections.shuffle(shuffled, rng);
                for (String v : shuffled.subList(0, Math.min(variantsPerAccent, shuffled.size()))) out.add(new Voice(name(), accent + "+" + v));
            }
            for (String mb : mbrola) out.add(new Voice(name(), mb));
            // Drawn from a stream of their own, so that the shipped voices above are chosen as before they existed.
            List<String> accentList = List.copyOf(accents);
            java.util.Random speakerRng = new java.util.Random(seed ^ 0x0A11_5EED_7A1CL);
            for (int k = 0; k < randomSpeakers && !accentList.isEmpty(); k++) {
                String accent = accentList.get(speakerRng.nextInt(accentList.size()));
                out.add(new Voice(name(), accent + "+" + RandomEspeakSpeakers.variantName(seed, k)));
            }
            if (out.isEmpty()) reason = "espeak-ng lists no English voices";
            return voices = List.copyOf(out);
        }

        /** mb-us1, mb-en1...: English MBROLA speakers, as opposed to mb-de1-en (a German speaker's English). */
        static boolean isNativeEnglishMbrola(String mbVoice) {
            return !mbVoice.endsWith("-en") || mbVoice.startsWith("mb-us") || mbVoice.startsWith("mb-en");
        }

        /**
         * Where espeak-ng finds mbrola voice data: first the file {@code mbrola/NAME} inside its data folder (so a
         * carried espeak-ng, ESPEAK_DATA_PATH set, brings its own voices: ci/gpu/pack-tts.sh), then Debian's
         * {@code /usr/share/mbrola/NAME[/NAME]}.
         */
        static boolean mbrolaVoiceInstalled(String dataName) {
            String dataPath = System.getenv("ESPEAK_DATA_PATH");
            if (dataPath != null && !dataPath.isBlank()
                    && Files.isRegularFile(Path.of(dataPath, "espeak-ng-data", "mbrola", dataName))) return true;
            return Files.isDirectory(Path.of("/usr/share/mbrola", dataName))
                    || Files.isRegularFile(Path.of("/usr/share/mbrola", dataName, dataName));
        }

        @Override public String unavailableReason() { voices(); return reason; }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            if (Double.isNaN(formant)) formant = 1;
            // The formant shift is the speed-up afterwards, which also raises rate and pitch: speak slower and lower.
            int wpm = (int) Math.round(DEFAULT_WPM * rate / formant);
            // espeak-ng's 0-99 pitch scale is coarse near the default, so a factor of 0.85..1.15 maps to about 20..80.
            int pitchValue = (int) Math.max(0, Math.min(99, Math.round(DEFAULT_PITCH + (pitch / formant - 1) * 200)));
            List<String> command = new ArrayList<>(List.of("espeak-ng"));
            if (RandomEspeakSpeakers.isRandomSpeaker(voice.name())) command.add("--path=" + randomVariants().pathFor(voice.name()));
            command.addAll(List.of("-v", voice.name(), "-s", Integer.toString(wpm), "-p",
                    Integer.toString(pitchValue), "-f", textFile.toString(), "-w", outWav.toString()));
            return new Invocation(command, formant);
        }

        /** Where the random speakers' overlays of espeak-ng's data folder are made, found on first use. */
        private synchronized RandomEspeakSpeakers randomVariants() {
            if (randomVariants == null) {
                Path data = RandomEspeakSpeakers.shippedDataFolder(probe(List.of("espeak-ng", "--version")));
                if (data == null) throw new IllegalStateException("espeak-ng --version does not say where its data folder is (\"Data at: ...\"): cannot add random speakers");
                randomVariants = new RandomEspeakSpeakers(data);
            }
            return randomVariants;
        }
    }

    /** flite's compiled-in voices (kal, kal16, awb, rms, slt; the limited-domain awb_time is skipped). */
    static final class Flite implements TtsEngine {
        private List<Voice> voices;
        private String reason;

        @Override public String name() { return "flite"; }

        @Override
        public synchronized List<Voice> voices() {
            if (voices != null) return voices;
            String list = onPath("flite") ? probe(List.of("flite", "-lv")) : null;
            if (list == null) {
                reason = "flite is not installed (apt-get install flite)";
                return voices = List.of();
            }
            TreeSet<String> names = new TreeSet<>();
            String afterColon = list.contains(":") ? list.substring(list.indexOf(':') + 1) : list;
            for (String v : afterColon.trim().split("\\s+")) if (!v.isEmpty() && !v.endsWith("_time")) names.add(v);
            List<Voice> out = names.stream().map(n -> new Voice(name(), n)).toList();
            if (out.isEmpty()) reason = "flite lists no voices";
            return voices = out;
        }

        @Override public String unavailableReason() { voices(); return reason; }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            // Pitch comes from the post-processing speed-up, so pre-stretch durations by pitch/rate.
            return new Invocation(List.of("flite", "-voice", voice.name(), "-f", textFile.toString(),
                    "--setf", "duration_stretch=" + fmt(pitch / rate), "-o", outWav.toString()), pitch);
        }
    }

    /**
     * festival's English voices found under LIBDIR/voices/{english,us}; speaks via text2wave. LIBDIR is
     * {@code $FESTIVAL_LIBDIR} when set (a festival carried to a machine without one by ci/gpu/pack-tts.sh, whose
     * {@code text2wave.scm} reads its library from the same variable, as {@code festival --script} ignores
     * {@code --libdir}), else Debian's
     * /usr/share/festival. Diphone voices (festvox's LPC ones and the MBROLA ones of festvox-us1...) honour
     * Duration_Stretch and take their F0 from int_lr_params, so rate, pitch and formants are set apart; HTS voices
     * ignore both, so their rate and formants follow their pitch factor. When asked for, also the non-English diphone
     * speakers ({@code el_diphone-en}, {@code czech_ph-en}...): kal_diphone's English front end predicts the
     * segments and accented-festival.scm renames them into the speaker's phones before its database speaks them,
     * so English in that speaker's accent and timbre through the LPC diphone synthesis of ked_diphone and kal_diphone.
     */
    static final class Festival implements TtsEngine {
        static final String LIBDIR_VARIABLE = "FESTIVAL_LIBDIR";
        /** The English voice whose front end (lexicon, durations, intonation) the accented speakers speak through. */
        static final String ACCENT_FRONT_END = "kal_diphone";
        static final String ACCENTED_SUFFIX = "-en";
        /**
         * festival's non-English diphone speakers that accented-festival.scm maps English onto, with the folder under
         * LIBDIR/voices that holds each; the Debian package is festvox-ellpc11k, festvox-suopuhe-lj/-mv,
         * festvox-czech-dita/-krb/-machac/-ph.
         */
        static final List<String> ACCENTED_SPEAKERS = List.of("spanish/el_diphone", "finnish/suo_fi_lj_diphone",
                "finnish/hy_fi_mv_diphone", "czech/czech_dita", "czech/czech_krb", "czech/czech_machac", "czech/czech_ph");
        private static final String ACCENT_SCRIPT = "accented-festival.scm";
        private static Path accentScript;

        private final Path voiceRoot;
        private final boolean accented;
        private List<Voice> voices;
        private String reason;

        /** @param libDir festival's library folder, or null/blank for Debian's /usr/share/festival */
        Festival(String libDir) {
            this(libDir, false);
        }

        /** @param accented also offer the non-English speakers of {@link #ACCENTED_SPEAKERS} speaking English */
        Festival(String libDir, boolean accented) {
            voiceRoot = Path.of(libDir == null || libDir.isBlank() ? "/usr/share/festival" : libDir).resolve("voices");
            this.accented = accented;
        }

        @Override public String name() { return "festival"; }

        @Override
        public synchronized List<Voice> voices() {
            if (voices != null) return voices;
            if (!onPath("text2wave")) {
                reason = "festival is not installed (apt-get install festival festvox-kallpc16k)";
                return voices = List.of();
            }
            TreeSet<String> names = new TreeSet<>();
            for (String language : List.of("english", "us")) {
                Path dir = voiceRoot.resolve(language);
                if (!Files.isDirectory(dir)) continue;
                try (Stream<Path> s = Files.list(dir)) {
                    s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).forEach(names::add);
                } catch (IOException e) {
                    reason = "cannot list " + dir + ": " + e.getMessage();
                }
            }
            if (accented) {
                List<String> accentedNames = ACCENTED_SPEAKERS.stream().filter(f -> Files.isDirectory(voiceRoot.resolve(f)))
                        .map(f -> Path.of(f).getFileName() + ACCENTED_SUFFIX).toList();
                if (!names.contains(ACCENT_FRONT_END)) {
                    if (reason == null) reason = "accented festival voices need " + ACCENT_FRONT_END + " (festvox-kallpc16k)";
                } else if (accentedNames.isEmpty()) {
                    if (reason == null) reason = "no non-English festival diphone speaker under " + voiceRoot
                            + " (ci/install-tts.sh --accented-festival-voices)";
                } else {
                    names.addAll(accentedNames);
                }
            }
            List<Voice> out = names.stream().map(n -> new Voice(name(), n)).toList();
            if (out.isEmpty() && reason == null) reason = "festival has no English voices under " + voiceRoot + "/{english,us}";
            return voices = out;
        }

        @Override public String unavailableReason() { voices(); return reason; }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            List<String> command = new ArrayList<>(List.of("text2wave"));
            if (isAccented(voice)) {
                String speaker = voice.name().substring(0, voice.name().length() - ACCENTED_SUFFIX.length());
                command.addAll(List.of("-eval", accentScript().toString(), "-eval", "(acc_voice '" + speaker + ")"));
            } else {
                command.addAll(List.of("-eval", "(voice_" + voice.name() + ")"));
            }
            double speedUp = pitch;
            if (hasIntonationTargets(voice) && !Double.isNaN(formant)) {
                // Their intonation targets an F0 mean and spread (int_lr_params), which can be scaled so that the
                // speed-up moves the formants alone; HTS voices have no such targets.
                speedUp = formant;
                command.addAll(List.of("-eval", scaledF0Targets(pitch / formant)));
            }
            command.addAll(List.of("-eval", "(Parameter.set 'Duration_Stretch " + fmt(speedUp / rate) + ")",
                    textFile.toString(), "-o", outWav.toString()));
            return new Invocation(command, speedUp);
        }

        static boolean isAccented(Voice voice) {
            return voice.name().endsWith(ACCENTED_SUFFIX);
        }

        /** Diphone voices, festival's own ({@code kal_diphone}), MBROLA's ({@code us1_mbrola}) and the accented ones. */
        static boolean hasIntonationTargets(Voice voice) {
            return voice.name().endsWith("_diphone") || voice.name().endsWith("_mbrola") || isAccented(voice);
        }

        /** accented-festival.scm as a file text2wave can load, written once per JVM from the jar's copy. */
        static synchronized Path accentScript() {
            if (accentScript != null) return accentScript;
            try (var in = TtsEngines.class.getResourceAsStream(ACCENT_SCRIPT)) {
                if (in == null) throw new IllegalStateException(ACCENT_SCRIPT + " is missing from the classpath");
                Path file = Files.createTempFile("speech-mamba-accented-festival-", ".scm");
                file.toFile().deleteOnExit();
                Files.write(file, in.readAllBytes());
                return accentScript = file;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot write " + ACCENT_SCRIPT + " to a temporary file", e);
            }
        }

        /** Scheme that multiplies the selected voice's target F0 mean and standard deviation by {@code factor}. */
        static String scaledF0Targets(double factor) {
            String f = fmt(factor);
            return "(set! int_lr_params (list"
                    + " (list 'target_f0_mean (* " + f + " (cadr (assoc 'target_f0_mean int_lr_params))))"
                    + " (list 'target_f0_std (* " + f + " (cadr (assoc 'target_f0_std int_lr_params))))"
                    + " (assoc 'model_f0_mean int_lr_params) (assoc 'model_f0_std int_lr_params)))";
        }
    }

    /** SVOX pico (pico2wave, non-free): en-US and en-GB; pitch and rate applied after synthesis. */
    static final class Pico implements TtsEngine {
        private List<Voice> voices;
        private String reason;

        @Override public String name() { return "pico"; }

        @Override
        public synchronized List<Voice> voices() {
            if (voices != null) return voices;
            if (!onPath("pico2wave")) {
                reason = "pico2wave is not installed (libttspico-utils, Debian non-free)";
                return voices = List.of();
            }
            return voices = List.of(new Voice(name(), "en-GB"), new Voice(name(), "en-US"));
        }

        @Override public String unavailableReason() { voices(); return reason; }

        @Override
        public Invocation command(Voice voice, Path textFile, Path outWav, double rate, double pitch, double formant) {
            String text;
            try {
                text = Files.readString(textFile);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot read " + textFile, e);
            }
            // pico2wave has no rate control; the post speed-up sets pitch and rate together.
            return new Invocation(List.of("pico2wave", "-l", voice.name(), "-w", outWav.toString(), text), pitch);
        }
    }
}
