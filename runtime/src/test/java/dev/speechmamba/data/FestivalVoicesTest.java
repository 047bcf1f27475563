package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** festival's voices are read from the library folder it is given ($FESTIVAL_LIBDIR: a festival carried elsewhere). */
class FestivalVoicesTest {
    @Test
    void voicesComeFromTheGivenLibraryFolder(@TempDir Path libDir) throws Exception {
        assumeTrue(TtsEngines.onPath("text2wave"), "festival not installed (ci/install-tts.sh)");
        Files.createDirectories(libDir.resolve("voices/english/rab_diphone"));
        Files.createDirectories(libDir.resolve("voices/us/cmu_us_slt_arctic_hts"));
        Files.createDirectories(libDir.resolve("voices/spanish/el_diphone")); // not English: not offered
        TtsEngines.Festival festival = new TtsEngines.Festival(libDir.toString());
        assertEquals(List.of(new Voice("festival", "cmu_us_slt_arctic_hts"), new Voice("festival", "rab_diphone")), festival.voices());
    }

    @Test
    void aFolderWithoutEnglishVoicesIsNamedInTheReason(@TempDir Path libDir) {
        assumeTrue(TtsEngines.onPath("text2wave"), "festival not installed (ci/install-tts.sh)");
        TtsEngines.Festival festival = new TtsEngines.Festival(libDir.toString());
        assertTrue(festival.voices().isEmpty());
        assertTrue(festival.unavailableReason().contains(libDir.resolve("voices").toString()), festival.unavailableReason());
    }

    @Test
    void withoutAFolderDebiansIsRead() {
        assumeTrue(TtsEngines.onPath("text2wave") && Files.isDirectory(Path.of("/usr/share/festival/voices/english")),
                "festival with an English voice not installed (ci/install-tts.sh)");
        assertTrue(!new TtsEngines.Festival(null).voices().isEmpty());
        assertEquals(new TtsEngines.Festival(null).voices(), new TtsEngines.Festival(" ").voices());
    }
}
