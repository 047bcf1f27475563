package dev.speechmamba.serve;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class MultipartTest {

    private static byte[] bytes(String s) { return s.getBytes(StandardCharsets.ISO_8859_1); }

    private static ApiException rejects(String body, String boundary) {
        return assertThrows(ApiException.class, () -> Multipart.parse(bytes(body), boundary));
    }

    @Test
    void parsesFieldsAndFilesSkippingPreambleAndEpilogue() throws Exception {
        String body = "this is a preamble\r\n"
                + "--XyZ\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\nwhisper-1\r\n"
                + "--XyZ  \t\r\ncontent-disposition: form-data; name=\"file\"; filename=\"a b;c.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
                + "RIFF\r\n\r\nbody\r\n"
                + "--XyZ--\r\nepilogue that is ignored\r\n--XyZ\r\n";
        List<Multipart.Part> parts = Multipart.parse(bytes(body), "XyZ");
        assertEquals(2, parts.size());
        assertEquals("model", parts.get(0).name());
        assertEquals("whisper-1", parts.get(0).text());
        assertNull(parts.get(0).filename());
        assertEquals("file", parts.get(1).name());
        assertEquals("a b;c.wav", parts.get(1).filename());
        assertEquals("audio/wav", parts.get(1).contentType());
        assertEquals("RIFF\r\n\r\nbody", parts.get(1).text()); // CRLFs inside a part are content
    }

    @Test
    void binaryContentThatLooksLikeTheBoundaryWithoutCrlfIsNotADelimiter() throws Exception {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (int b = 0; b < 256; b++) content.write(b);
        content.writeBytes(bytes("--bound in the middle\n--bound"));
        MultipartBody form = new MultipartBody("bound").file("file", "x.bin", "application/octet-stream", content.toByteArray());
        List<Multipart.Part> parts = Multipart.parse(form.build(), "bound");
        assertArrayEquals(content.toByteArray(), parts.getFirst().body());
    }

    @Test
    void emptyPartBodyAndQuotedEscapesAndExtendedFilename() throws Exception {
        String body = "--b\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n\r\n"
                + "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"say \\\"hi\\\".wav\"\r\n\r\nx\r\n"
                + "--b\r\nContent-Disposition: form-data; name=file2; filename=\"fallback.wav\"; filename*=UTF-8''na%C3%AFve.wav\r\n\r\ny\r\n"
                + "--b--";
        List<Multipart.Part> parts = Multipart.parse(bytes(body), "b");
        assertEquals("", parts.get(0).text());
        assertEquals("say \"hi\".wav", parts.get(1).filename());
        assertEquals("file2", parts.get(2).name());
        assertEquals("na\u00efve.wav", parts.get(2).filename());
    }

    @Test
    void malformedBodiesAreRejectedWithAReason() {
        assertTrue(rejects("no boundary anywhere", "b").getMessage().contains("does not contain its boundary"));
        assertTrue(rejects("--b--\r\n", "b").getMessage().contains("no parts"));
        assertTrue(rejects("--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\ntruncated", "b").getMessage().contains("closing boundary"));
        assertTrue(rejects("--bXcontent", "b").getMessage().contains("not followed by CRLF"));
        assertTrue(rejects("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "b").getMessage().contains("no Content-Disposition"));
        assertTrue(rejects("--b\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n--b--", "b").getMessage().contains("expected form-data"));
        assertTrue(rejects("--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--", "b").getMessage().contains("no field name"));
        assertTrue(rejects("--b\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n--b--", "b").getMessage().contains("unterminated"));
        assertTrue(rejects("--b\r\nno colon here\r\n\r\nx\r\n--b--", "b").getMessage().contains("malformed multipart header"));
        assertTrue(rejects("--b\r\nContent-Disposition: form-data; name=\"f\"", "b").getMessage().contains("not terminated"));
        assertTrue(rejects("--b\r\n\r\nheaderless\r\n--b--", "b").getMessage().contains("no Content-Disposition"));
        String hugeHeader = "--b\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: " + "p".repeat(Multipart.MAX_HEADER_BYTES) + "\r\n\r\nx\r\n--b--";
        assertTrue(rejects(hugeHeader, "b").getMessage().contains("exceed"));
        for (ApiException e : List.of(rejects("--b--", "b"), rejects("x", "b"))) assertEquals(400, e.status);
    }

    @Test
    void tooManyPartsAreRejected() {
        MultipartBody form = new MultipartBody("b");
        for (int i = 0; i <= Multipart.MAX_PARTS; i++) form.field("f" + i, "v");
        ApiException e = assertThrows(ApiException.class, () -> Multipart.parse(form.build(), "b"));
        assertTrue(e.getMessage().contains("more than " + Multipart.MAX_PARTS));
    }

    @Test
    void boundaryFromContentType() throws Exception {
        assertEquals("abc", Multipart.boundary("multipart/form-data; boundary=abc"));
        assertEquals("a b;c", Multipart.boundary("Multipart/Form-Data ; charset=utf-8; BOUNDARY=\"a b;c\""));
        assertEquals(415, assertThrows(ApiException.class, () -> Multipart.boundary("application/json")).status);
        assertEquals(415, assertThrows(ApiException.class, () -> Multipart.boundary(null)).status);
        assertEquals(400, assertThrows(ApiException.class, () -> Multipart.boundary("multipart/form-data")).status);
        assertEquals(400, assertThrows(ApiException.class, () -> Multipart.boundary("multipart/form-data; boundary=" + "x".repeat(71))).status);
        assertEquals(400, assertThrows(ApiException.class, () -> Multipart.boundary("multipart/form-data; boundary=\"ends \"")).status);
    }
}
