package dev.speechmamba.serve;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds a {@code multipart/form-data} request body, as an HTTP client of the server sends it (the load generator
 * and the tests use it). Field names and file names must not contain quotes or line breaks.
 */
public final class MultipartBody {

    private final String boundary;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public MultipartBody() {
        this("speech-mamba-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    public MultipartBody(String boundary) { this.boundary = boundary; }

    public String boundary() { return boundary; }

    /** The request's Content-Type header value. */
    public String contentType() { return "multipart/form-data; boundary=" + boundary; }

    public MultipartBody field(String name, String value) {
        header("Content-Disposition: form-data; name=\"" + checked(name) + "\"\r\n\r\n");
        out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    public MultipartBody file(String name, String filename, String contentType, byte[] content) {
        header("Content-Disposition: form-data; name=\"" + checked(name) + "\"; filename=\"" + checked(filename) + "\"\r\n"
                + "Content-Type: " + contentType + "\r\n\r\n");
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** The body with its closing delimiter. */
    public byte[] build() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream(out.size() + boundary.length() + 8);
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return copy.toByteArray();
    }

    private void header(String headers) {
        out.writeBytes(("--" + boundary + "\r\n" + headers).getBytes(StandardCharsets.UTF_8));
    }

    private static String checked(String s) {
        if (s.contains("\"") || s.contains("\r") || s.contains("\n")) {
            throw new IllegalArgumentException("multipart name or file name must not contain quotes or line breaks: " + s);
        }
        return s;
    }
}
