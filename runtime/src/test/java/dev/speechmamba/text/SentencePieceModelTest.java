package dev.speechmamba.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Builds small ModelProto files by hand (protobuf wire format) and reads them back. */
class SentencePieceModelTest {

    private static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto tag(int field, int wire) { return varint(((long) field << 3) | wire); }

        Proto bytes(int field, byte[] b) {
            tag(field, 2).varint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

        Proto floatField(int field, float f) {
            tag(field, 5);
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(f).array());
            return this;
        }

        Proto intField(int field, long v) { return tag(field, 0).varint(v); }

        byte[] toBytes() { return out.toByteArray(); }
    }

    private static byte[] piece(String text, float score, int type) {
        Proto p = new Proto().string(1, text).floatField(2, score);
        if (type != 1) p.intField(3, type);
        return p.toBytes();
    }

    /** SP ids: 0 <unk>, 1 <s>, 2 </s>, 3 ▁th, 4 th, 5 ▁the, 6 ▁, 7 t, 8 h, 9 e, 10 c, 11 a, 12 ▁c. */
    static byte[] model(int modelType, boolean withUnknownField) {
        Proto m = new Proto();
        m.bytes(1, piece("<unk>", 0, 2)).bytes(1, piece("<s>", 0, 3)).bytes(1, piece("</s>", 0, 3));
        m.bytes(1, piece("▁th", -2, 1)).bytes(1, piece("th", 0, 1)).bytes(1, piece("▁the", -3, 1));
        for (String c : new String[] {"▁", "t", "h", "e", "c", "a"}) m.bytes(1, piece(c, -10, 1));
        m.bytes(1, piece("▁c", -1, 1));
        // trainer_spec: input (1, ignored), model_type (3), vocab_size (4), a double (wire 1) to skip
        Proto trainer = new Proto().string(1, "corpus.txt").intField(3, modelType).intField(4, 13);
        if (withUnknownField) trainer.tag(99, 1).out.writeBytes(new byte[8]);
        m.bytes(2, trainer.toBytes());
        // normalizer_spec: name (1), add_dummy_prefix (3) = true, remove_extra_whitespaces (4) = false
        m.bytes(3, new Proto().string(1, "identity").intField(3, 1).intField(4, 0).toBytes());
        return m.toBytes();
    }

    @Test
    void readsPiecesScoresTypesAndOptions(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bpe.model");
        Files.write(file, model(SentencePieceModel.BPE, true));
        SentencePieceModel.Contents c = SentencePieceModel.read(file);
        assertEquals(13, c.pieces().size());
        assertEquals(SentencePieceModel.BPE, c.modelType());
        assertTrue(c.addDummyPrefix());
        assertFalse(c.removeExtraWhitespaces());
        assertEquals(new BpeTokenizer.Piece("▁th", -2, BpeTokenizer.PieceType.NORMAL), c.pieces().get(3));
        assertEquals(BpeTokenizer.PieceType.UNKNOWN, c.pieces().get(0).type());
    }

    @Test
    void encodesLikeSentencePieceBpeWithShiftedIds(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bpe.model");
        Files.write(file, model(SentencePieceModel.BPE, false));
        BpeTokenizer tok = SentencePieceModel.load(file);
        assertEquals(15, tok.vocabSize(), "<blank> + 13 pieces + <sos/eos>");
        assertEquals(0, tok.blankId());
        assertEquals(1, tok.unkId());
        assertEquals(tok.vocabSize() - 1, tok.sosEosId(), "an added last piece is the sos/eos id");
        // "the": th (score 0) first, then ▁th (-2), then ▁the (-3).
        assertArrayEquals(new int[] {6}, tok.encode("the"));
        // "cat": ▁c (-1) is the only merge; a and t stay single.
        assertArrayEquals(new int[] {13, 12, 8}, tok.encode("cat"));
        assertEquals("the cat", tok.decode(tok.encode("the cat")));
        assertEquals("the ⁇ cat", tok.decode(tok.encode("the xyz cat")));
    }

    @Test
    void rejectsUnigramEmptyTruncatedAndGarbage(@TempDir Path dir) throws IOException {
        Path unigram = dir.resolve("unigram.model");
        Files.write(unigram, model(SentencePieceModel.UNIGRAM, false));
        IOException e = assertThrows(IOException.class, () -> SentencePieceModel.load(unigram));
        assertTrue(e.getMessage().contains("UNIGRAM"), e.getMessage());

        Path empty = dir.resolve("empty.model");
        Files.write(empty, new byte[0]);
        e = assertThrows(IOException.class, () -> SentencePieceModel.read(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        byte[] full = model(SentencePieceModel.BPE, false);
        for (int cut : new int[] {1, 5, full.length / 2, full.length - 1}) {
            Path truncated = dir.resolve("cut" + cut + ".model");
            Files.write(truncated, Arrays.copyOf(full, cut));
            IOException t = assertThrows(IOException.class, () -> SentencePieceModel.load(truncated), "cut at " + cut);
            assertTrue(t.getMessage().contains(truncated.toString()), t.getMessage());
        }

        Path garbage = dir.resolve("garbage.model");
        Files.write(garbage, "this is not a protobuf file at all".getBytes(StandardCharsets.UTF_8));
        assertThrows(IOException.class, () -> SentencePieceModel.load(garbage));
    }

    /** A model trained by SentencePiece itself (see make_sentencepiece_golden.py beside it) and its encodings. */
    @Test
    void matchesTheReferenceSentencePieceEncoder(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("sp-bpe-200.model");
        try (var in = SentencePieceModelTest.class.getResourceAsStream("sp-bpe-200.model")) {
            assertTrue(in != null, "golden model resource is missing");
            Files.copy(in, model);
        }
        com.fasterxml.jackson.databind.JsonNode golden;
        try (var in = SentencePieceModelTest.class.getResourceAsStream("sp-bpe-200.golden.json")) {
            golden = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        BpeTokenizer tok = SentencePieceModel.load(model);
        assertEquals(202, tok.vocabSize(), "<blank>, 200 SentencePiece pieces, <sos/eos>");
        int cases = 0;
        for (var c : golden.withArray("cases")) {
            String text = c.get("text").asText();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt() + 1;
            assertArrayEquals(expected, tok.encode(text), text);
            assertEquals(text, tok.decode(expected));
            cases++;
        }
        assertTrue(cases >= 20, "golden cases: " + cases);
    }
}
