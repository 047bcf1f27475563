package dev.speechmamba.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DictionaryTextTest {

    @Test
    void wordNetGlossesLeaveOutExamplesAndSynsetsOfHeldOutExamples(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("data.noun"), String.join("\n",
                "  1 This software and database is being provided to you, the LICENSEE, by",
                "00001740 03 n 01 entity 0 003 ~ 00001930 n 0000 | that which is perceived or known or inferred to have its own "
                        + "distinct existence (living or nonliving); a thing that exists",
                "02084071 05 n 01 dog 0 001 @ 02083346 n 0000 | a member of the genus Canis; \"the dog barked all night\"",
                "07566340 13 n 01 cake 0 001 @ 07557434 n 0000 | baked goods made from a sweet batter; \"she cut the cake\"; "
                        + "\"a slice of cake\"",
                ""), StandardCharsets.ISO_8859_1);
        List<String> glosses = DictionaryText.wordNetGlosses(dir, Set.of("she cut the cake"));
        assertEquals(List.of("that which is perceived or known or inferred to have its own distinct existence (living or nonliving)",
                "a thing that exists", "a member of the genus Canis"), glosses);
        assertTrue(DictionaryText.wordNetGlosses(dir.resolve("missing"), Set.of()).isEmpty());
    }

    @Test
    void gcideGivesDefinitionsAndQuotationsButNothingFromWordNetOrHeldOut(@TempDir Path dir) throws IOException {
        String dict = String.join("\n",
                "Affect \\Af*fect\"\\, v. t. [imp. & p. p. {Affected}.] [L. affectus.]",
                "   1. To act upon; to produce an effect or change upon.",
                "      [1913 Webster]",
                "",
                "            As might affect the earth with cold heat. --Milton.",
                "      [1913 Webster]",
                "",
                "            The climate affected their health and spirits.",
                "                                                  --Macaulay.",
                "      [1913 Webster]",
                "",
                "            A quotation that a test set holds.",
                "      [1913 Webster]",
                "",
                "   3. To love; to regard with affection. [Obs.]",
                "      [1913 Webster]",
                "",
                "   2. a sort of thing copied from the lexical database",
                "      [WordNet 1.5]",
                "");
        Path file = dir.resolve("gcide.dict.dz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(dict.getBytes(StandardCharsets.UTF_8));
        }
        List<String> text = DictionaryText.gcide(file, Set.of("a quotation that a test set holds"));
        // The headword's own paragraph mixes etymology into its first sense: none of it is taken.
        assertEquals(List.of("As might affect the earth with cold heat.", "The climate affected their health and spirits.",
                "to regard with affection"), text);
        assertFalse(text.stream().anyMatch(s -> s.contains("lexical database")), text.toString());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DictionaryText.gcide(dir.resolve("none.dz"), Set.of()));
        assertTrue(e.getMessage().contains("dict-gcide"), e.getMessage());
    }
}
