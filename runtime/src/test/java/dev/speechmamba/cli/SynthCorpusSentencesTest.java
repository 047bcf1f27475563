package dev.speechmamba.cli;

import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import dev.speechmamba.data.VoiceSplit.Split;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * synth-corpus --sentences FILE (the carried sentence list of machines without fortunes and WordNet) and
 * --exclude-voices FILE (other corpora's evaluation voices), the options of corpora made on a GPU machine, and the
 * --pitch-range / --rate-range factors.
 */
class SynthCorpusSentencesTest {
    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void aMissingSentencesFileIsNamedInTheError(@TempDir Path dir) {
        Path absent = dir.resolve("no-such-sentences.txt");
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--sentences", absent.toString());
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("--sentences") && r.err().contains(absent.toString()) && r.err().contains("does not exist"), r.err());
        assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written before the sentences are read");
    }

    @Test
    void anEmptySentencesFileIsAClearError(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--sentences", empty.toString());
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("--sentences") && r.err().contains("no usable sentence"), r.err());
    }

    @Test
    void theSpokenSentencesComeFromTheFile(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        List<String> mine = List.of("the lighthouse keeper counted seven gulls", "purple turnips grow beside the old mill",
                "a quiet engine hummed under the bridge", "nobody remembered the password to the shed");
        Path file = dir.resolve("sentences.txt");
        Files.write(file, mine);
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "4", "--engines", "espeak-ng", "--espeak-variants", "1",
                "--jobs", "2", "--noise-prob", "0", "--sentences", file.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("4 candidate sentences from " + file), r.out());
        List<String> spoken = new ArrayList<>();
        for (Split s : Split.values()) for (ManifestEntry e : Manifest.read(out.resolve(s.fileName()))) spoken.add(e.text());
        assertEquals(4, spoken.size(), r.out());
        assertTrue(mine.containsAll(spoken), "spoken " + spoken);
    }

    @Test
    void aNegativeNumberOfRandomSpeakersIsRefused(@TempDir Path dir) {
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--random-espeak-speakers", "-3");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("--random-espeak-speakers must not be negative, got -3"), r.err());
        assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written");
    }

    @Test
    void randomEspeakSpeakersSpeakTheCorpus(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "4", "--engines", "espeak-ng", "--espeak-variants", "0",
                "--random-espeak-speakers", "3", "--voices", "espeak-ng:.*\\+rnd.*", "--all-train", "--seed", "12", "--jobs", "2",
                "--noise-prob", "0", "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<ManifestEntry> train = Manifest.read(out.resolve(Split.TRAIN.fileName()));
        assertEquals(4, train.size(), r.out());
        for (ManifestEntry e : train) {
            assertTrue(e.voice().matches("espeak-ng:en[-a-z0-9]*\\+rnd[0-2]-s12"), e.voice());
            assertTrue(e.duration() > 0.3, e.voice() + " spoke " + e.duration() + " s");
        }
    }

    @Test
    void aBadExcludeVoicesFileIsNamedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path noVoices = Files.writeString(dir.resolve("held-out.txt"), "# none yet\n");
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--exclude-voices", noVoices.toString());
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("held-out.txt names no voice"), r.err());
        assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written before the held-out voices are read");
    }

    @Test
    void excludedVoicesAreReportedAndNeverSpoken(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        // every voice of a corpus made without +variants (the plain accents, and mbrola voices where installed) is
        // held out, as a list file: what is left to speak are the accent+variant voices
        Path first = dir.resolve("first");
        CliRun plain = run("synth-corpus", "--out", first.toString(), "--utterances", "2", "--engines", "espeak-ng", "--espeak-variants", "0",
                "--jobs", "2", "--no-progress");
        assertEquals(0, plain.code(), plain.err());
        List<String> accents = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(first.resolve("corpus.json").toFile()).path("splits")
                .forEach(split -> split.path("voices").forEach(v -> accents.add(v.asText())));
        assertTrue(accents.size() >= 3, "voices of the first corpus: " + accents);
        Path list = Files.write(dir.resolve("held-out.txt"), accents);
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "6", "--engines", "espeak-ng", "--espeak-variants", "1",
                "--jobs", "2", "--noise-prob", "0", "--exclude-voices", list.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("excluded " + accents.size() + " installed voices held out elsewhere"), r.out());
        for (Split s : Split.values()) {
            for (ManifestEntry e : Manifest.read(out.resolve(s.fileName()))) {
                assertFalse(accents.contains(e.voice()), e.voice() + " was held out");
                assertTrue(e.voice().contains("+"), e.voice() + " is not an accent+variant voice");
            }
        }
    }

    @Test
    void excludedSentencesAreNeverSpoken(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        List<String> mine = List.of("the lighthouse keeper counted seven gulls", "purple turnips grow beside the old mill",
                "a quiet engine hummed under the bridge", "nobody remembered the password to the shed");
        Path file = Files.write(dir.resolve("sentences.txt"), mine);
        Path heldOut = Files.writeString(dir.resolve("test.jsonl"),
                "{\"audio_filepath\": \"x.wav\", \"duration\": 2.0, \"text\": \"purple turnips grow beside the old mill\"}\n"
                + "{\"audio_filepath\": \"y.wav\", \"duration\": 2.0, \"text\": \"nobody remembered the password to the shed\"}\n");
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "4", "--engines", "espeak-ng", "--espeak-variants", "0",
                "--jobs", "2", "--noise-prob", "0", "--sentences", file.toString(), "--exclude-sentences", heldOut.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("dropped 2 of 4 candidate sentences that 2 held-out texts hold"), r.out());
        List<String> spoken = new ArrayList<>();
        for (Split s : Split.values()) for (ManifestEntry e : Manifest.read(out.resolve(s.fileName()))) spoken.add(e.text());
        assertEquals(4, spoken.size(), r.out());
        assertTrue(List.of(mine.get(0), mine.get(2)).containsAll(spoken), "spoken " + spoken);
    }

    @Test
    void excludingEverySentenceIsAClearError(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("sentences.txt"), List.of("a quiet engine hummed under the bridge"));
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--sentences", file.toString(),
                "--exclude-sentences", file.toString());
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("--exclude-sentences: no candidate sentence is left"), r.err());
        assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written");
    }

    @Test
    void aBadPitchOrRateRangeIsNamedBeforeAnythingIsWritten(@TempDir Path dir) {
        for (String[] bad : List.of(new String[] {"--pitch-range", "1.2,0.9"}, new String[] {"--pitch-range", "0.9"},
                new String[] {"--rate-range", "0.2,1.0"}, new String[] {"--pitch-range", "0.9,1.1,1.2"})) {
            CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", bad[0], bad[1]);
            assertEquals(Main.EXIT_FAILURE, r.code(), String.join(" ", bad));
            assertTrue(r.err().contains(bad[0]), r.err());
            assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written for " + String.join(" ", bad));
        }
    }

    @Test
    void theDrawnPitchAndRateRangesAreRecorded(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "2", "--engines", "espeak-ng", "--espeak-variants", "0",
                "--jobs", "2", "--noise-prob", "0", "--pitch-range", "0.8,1.25", "--rate-range", "0.9,1.1", "--no-progress");
        assertEquals(0, r.code(), r.err());
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("corpus.json").toFile());
        assertEquals(0.8, summary.path("pitch_range").path(0).asDouble());
        assertEquals(1.25, summary.path("pitch_range").path(1).asDouble());
        assertEquals(0.9, summary.path("rate_range").path(0).asDouble());
        assertEquals(1.1, summary.path("rate_range").path(1).asDouble());
    }

    @Test
    void allTrainPutsEveryVoiceIntoTraining(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        // without --all-train the plain accents (many more than 3) give voices to valid and test
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "12", "--engines", "espeak-ng", "--espeak-variants", "0",
                "--jobs", "2", "--noise-prob", "0", "--all-train", "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(12, Manifest.read(out.resolve("train.jsonl")).size(), r.out());
        assertTrue(Manifest.read(out.resolve("valid.jsonl")).isEmpty() && Manifest.read(out.resolve("test.jsonl")).isEmpty(), r.out());
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("corpus.json").toFile());
        assertTrue(summary.path("splits").path("train").path("voices").size() >= 3, summary.toString());
        assertEquals(0, summary.path("splits").path("test").path("voices").size(), summary.toString());
    }

    @Test
    void aBadVoicePatternIsNamedBeforeAnythingIsWritten(@TempDir Path dir) {
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--voices", "espeak-ng:(mb");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("--voices") && r.err().contains("espeak-ng:(mb") && r.err().contains("not a regular expression"), r.err());
        assertFalse(Files.exists(dir.resolve("corpus")), "nothing is written for a bad pattern");
    }

    @Test
    void aVoicePatternThatMatchesNoVoiceSaysSo(@TempDir Path dir) {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        CliRun r = run("synth-corpus", "--out", dir.resolve("corpus").toString(), "--utterances", "2", "--engines", "espeak-ng",
                "--voices", "espeak-ng:no-such-voice", "--no-progress");
        assertEquals(Main.EXIT_FAILURE, r.code());
        assertTrue(r.err().contains("no TTS voice to speak with") && r.err().contains("matches --voices 'espeak-ng:no-such-voice'"), r.err());
    }

    @Test
    void theVoicePatternPicksTheVoicesSpoken(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("espeak-ng"), "espeak-ng not installed (ci/install-tts.sh)");
        Path out = dir.resolve("corpus");
        CliRun r = run("synth-corpus", "--out", out.toString(), "--utterances", "4", "--engines", "espeak-ng", "--espeak-variants", "2",
                "--jobs", "2", "--noise-prob", "0", "--all-train", "--voices", "espeak-ng:en-us(\\+.*)?", "--no-progress");
        assertEquals(0, r.code(), r.err());
        for (ManifestEntry e : Manifest.read(out.resolve("train.jsonl"))) {
            assertTrue(e.voice().equals("espeak-ng:en-us") || e.voice().startsWith("espeak-ng:en-us+"), e.voice());
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(":")) if (!d.isEmpty() && Files.isExecutable(Path.of(d, program))) return true;
        return false;
    }
}
