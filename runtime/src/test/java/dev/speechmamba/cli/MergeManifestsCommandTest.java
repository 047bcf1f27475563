package dev.speechmamba.cli;

import dev.speechmamba.data.Manifest;
import dev.speechmamba.data.ManifestEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeManifestsCommandTest {
    @Test
    void joinsCorporaAndLeavesOutHeldOutVoicesAndTranscripts(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("corpus-a/train.jsonl");
        Manifest.write(a, List.of(
                new ManifestEntry("wavs/1.wav", 1.5, "one two", "espeak:v1"),
                new ManifestEntry("wavs/2.wav", 2.0, "three four", "espeak:v2")));
        Path aTest = dir.resolve("corpus-a/test.jsonl");
        Manifest.write(aTest, List.of(new ManifestEntry("wavs/9.wav", 1.0, "Five   SIX", "flite:kal")));
        Path b = dir.resolve("corpus-b/train.jsonl");
        Manifest.write(b, List.of(
                new ManifestEntry("wavs/1.wav", 3.0, "seven eight", "espeak:v3"),
                new ManifestEntry("wavs/2.wav", 2.5, "nine ten", "flite:kal"),      // held-out voice
                new ManifestEntry("wavs/3.wav", 2.5, "five six", "espeak:v4"),      // held-out sentence
                new ManifestEntry("/abs/x.wav", 1.0, "eleven", null)));
        Path out = dir.resolve("mix/train.jsonl");

        CliRun r = CliRun.of("merge-manifests", a.toString(), b.toString(), "--hold-out", aTest.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("left out 1 for a held-out voice and 1 for a held-out transcript")
                && r.out().contains("wrote 4 entries"), r.out());

        List<ManifestEntry> merged = Manifest.read(out);
        assertEquals(List.of("one two", "three four", "seven eight", "eleven"), merged.stream().map(ManifestEntry::text).toList());
        assertEquals("../corpus-a/wavs/1.wav", merged.get(0).audioFilepath());
        assertEquals(dir.resolve("corpus-b/wavs/1.wav"), Manifest.resolveAudio(out, merged.get(2)).normalize());
        assertEquals(Path.of("/abs/x.wav"), Manifest.resolveAudio(out, merged.get(3)));
        assertEquals("espeak:v3", merged.get(2).voice());
        assertEquals(3.0, merged.get(2).duration());

        String before = Files.readString(a);
        CliRun self = CliRun.of("merge-manifests", a.toString(), "--out", a.toString());
        assertEquals(Main.EXIT_FAILURE, self.code());
        assertTrue(self.err().contains("also an input"), self.err());
        assertEquals(before, Files.readString(a));

        CliRun everything = CliRun.of("merge-manifests", aTest.toString(), "--hold-out", aTest.toString(),
                "--out", dir.resolve("empty.jsonl").toString());
        assertEquals(Main.EXIT_FAILURE, everything.code());
        assertTrue(everything.err().contains("nothing written"), everything.err());
        assertTrue(Files.notExists(dir.resolve("empty.jsonl")));

        CliRun missing = CliRun.of("merge-manifests", dir.resolve("nope.jsonl").toString(), "--out", out.toString());
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertTrue(missing.err().contains("nope.jsonl") && missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void holdingOutSentencesOnlyKeepsTheVoices(@TempDir Path dir) throws Exception {
        Path train = dir.resolve("b/train.jsonl");
        Manifest.write(train, List.of(
                new ManifestEntry("wavs/1.wav", 1.0, "seven eight", "flite:kal"),   // a valid voice, a new sentence
                new ManifestEntry("wavs/2.wav", 1.0, "one two", "espeak:v3"),       // a valid sentence
                new ManifestEntry("wavs/3.wav", 1.0, "nine", "festival:ked")));     // a test voice
        Path valid = dir.resolve("a/valid.jsonl");
        Manifest.write(valid, List.of(new ManifestEntry("wavs/9.wav", 1.0, "One two", "flite:kal")));
        Path test = dir.resolve("a/test.jsonl");
        Manifest.write(test, List.of(new ManifestEntry("wavs/8.wav", 1.0, "ten", "festival:ked")));
        Path out = dir.resolve("mix/train.jsonl");

        CliRun r = CliRun.of("merge-manifests", train.toString(), "--hold-out", test.toString(),
                "--hold-out-sentences", valid.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("kept 1") && r.out().contains("left out 1 for a held-out voice and 1 for a held-out "
                + "transcript") && r.out().contains("held out: 1 voices, 2 transcripts"), r.out());
        assertEquals(List.of("seven eight"), Manifest.read(out).stream().map(ManifestEntry::text).toList());

        CliRun missing = CliRun.of("merge-manifests", train.toString(), "--hold-out-sentences",
                dir.resolve("none.jsonl").toString(), "--out", out.toString());
        assertEquals(Main.EXIT_FAILURE, missing.code());
        assertTrue(missing.err().contains("none.jsonl") && missing.err().contains("does not exist"), missing.err());
    }

    @Test
    void heldOutTranscriptsCompareNormalizedAndCoverLongRecordingSegmentsAndSentenceLists(@TempDir Path dir)
            throws Exception {
        Path train = dir.resolve("b/train.jsonl");
        Manifest.write(train, List.of(
                new ManifestEntry("wavs/1.wav", 1.0, "it's 5 o'clock", "espeak:v1"),      // "It's five o'clock!" below
                new ManifestEntry("wavs/2.wav", 1.0, "the second sentence", "espeak:v1"),  // a long recording's segment
                new ManifestEntry("wavs/3.wav", 1.0, "a listed sentence", "espeak:v1"),    // in a plain sentence list
                new ManifestEntry("wavs/4.wav", 1.0, "kept as is", "espeak:v1")));
        Path longForm = dir.resolve("a/longform.jsonl");
        Manifest.write(longForm, List.of(new ManifestEntry("long/1.wav", 9.0, "the first sentence the second sentence",
                "espeak:v9", null, List.of(
                        new ManifestEntry.Segment(0.0, 4.0, "The first sentence.", "espeak:v9", null),
                        new ManifestEntry.Segment(4.5, 4.0, "The second sentence.", "espeak:v9", null)))));
        Path test = dir.resolve("a/test.jsonl");
        Manifest.write(test, List.of(new ManifestEntry("wavs/8.wav", 1.0, "It's five o'clock!", "espeak:v8")));
        Path list = dir.resolve("a/sentences.txt");
        Files.writeString(list, "# evaluation sentences\nA listed sentence.\n");
        Path out = dir.resolve("mix/train.jsonl");

        CliRun r = CliRun.of("merge-manifests", train.toString(), "--hold-out", test.toString(),
                "--hold-out-sentences", longForm.toString(), "--hold-out-sentences", list.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of("kept as is"), Manifest.read(out).stream().map(ManifestEntry::text).toList());
        assertTrue(r.out().contains("left out 0 for a held-out voice and 3 for a held-out transcript"), r.out());

        Path empty = dir.resolve("a/empty.txt");
        Files.writeString(empty, "# nothing here\n");
        CliRun nothingHeld = CliRun.of("merge-manifests", train.toString(), "--hold-out-sentences", empty.toString(),
                "--out", dir.resolve("mix/other.jsonl").toString());
        assertEquals(Main.EXIT_FAILURE, nothingHeld.code());
        assertTrue(nothingHeld.err().contains("empty.txt") && nothingHeld.err().contains("holds no sentence"), nothingHeld.err());
        assertTrue(Files.notExists(dir.resolve("mix/other.jsonl")));
    }
}
