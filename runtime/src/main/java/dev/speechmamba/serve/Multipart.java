package dev.speechmamba.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parser of {@code multipart/form-data} bodies (RFC 7578 over RFC 2046) held in memory; the caller has already
 * bounded the body's size. Strict where a lenient reading could misplace bytes (delimiters must be preceded by
 * CRLF and followed by CRLF or {@code --}; a body without its closing delimiter is rejected), lenient where
 * clients differ harmlessly (a preamble and an epilogue are skipped; linear white space after a delimiter is
 * allowed; header names are case-insensitive). Every failure is an {@link ApiException} with status 400.
 */
final class Multipart {

    /** One form field: {@code filename} and {@code contentType} are null when the part did not give them. */
    record Part(String name, String filename, String contentType, byte[] body) {
        String text() { return new String(body, StandardCharsets.UTF_8); }
    }

    /** Most parts accepted in one body: a form with thousands of fields is an attack, not a client. */
    static final int MAX_PARTS = 64;
    /** Largest header block of one part. */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private Multipart() { }

    /**
     * The boundary parameter of a {@code multipart/form-data} Content-Type.
     *
     * @throws ApiException 415 when the type is not multipart/form-data, 400 when the boundary is missing or invalid
     */
    static String boundary(String contentType) throws ApiException {
        if (contentType == null) {
            throw new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
                    "the request has no Content-Type; send multipart/form-data with a 'file' field");
        }
        int semi = contentType.indexOf(';');
        String mediaType = (semi < 0 ? contentType : contentType.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("multipart/form-data")) {
            throw new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
                    "Content-Type must be multipart/form-data, got '" + mediaType + "'");
        }
        Map<String, String> params = semi < 0 ? Map.of() : parameters(contentType.substring(semi + 1), "Content-Type");
        String boundary = params.get("boundary");
        if (boundary == null || boundary.isEmpty()) {
            throw ApiException.invalid("invalid_multipart", null, "multipart/form-data Content-Type has no boundary parameter");
        }
        // RFC 2046: 1 to 70 characters, and not ending in a space.
        if (boundary.length() > 70 || boundary.endsWith(" ")) {
            throw ApiException.invalid("invalid_multipart", null,
                    "multipart boundary must be 1 to 70 characters not ending in a space, got " + boundary.length() + " characters");
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            if (c < 0x20 || c > 0x7E) throw ApiException.invalid("invalid_multipart", null, "multipart boundary has a non-printable or non-ASCII character");
        }
        return boundary;
    }

    /** Splits {@code body} into its parts. */
    static List<Part> parse(byte[] body, String boundary) throws ApiException {
        byte[] dashBoundary = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The first delimiter may open the body or follow a preamble that ends in CRLF.
        int at;
        if (startsWith(body, 0, dashBoundary)) {
            at = dashBoundary.length;
        } else {
            int found = indexOf(body, delimiter, 0);
            if (found < 0) throw ApiException.invalid("invalid_multipart", null, "multipart body does not contain its boundary");
            at = found + delimiter.length;
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            if (startsWith(body, at, new byte[]{'-', '-'})) {
                if (parts.isEmpty()) throw ApiException.invalid("invalid_multipart", null, "multipart body has no parts");
                return parts; // closing delimiter; whatever follows is the epilogue
            }
            while (at < body.length && (body[at] == ' ' || body[at] == '\t')) at++; // transport padding
            if (!startsWith(body, at, CRLF)) {
                throw ApiException.invalid("invalid_multipart", null, "multipart delimiter is not followed by CRLF at byte " + at);
            }
            at += 2;
            if (parts.size() == MAX_PARTS) {
                throw ApiException.invalid("invalid_multipart", null, "multipart body has more than " + MAX_PARTS + " parts");
            }
            int headerEnd;
            if (startsWith(body, at, CRLF)) {
                headerEnd = at; // a part with no headers at all
            } else {
                headerEnd = indexOf(body, HEADER_END, at);
                if (headerEnd < 0 || headerEnd - at > MAX_HEADER_BYTES) {
                    throw ApiException.invalid("invalid_multipart", null, headerEnd < 0
                            ? "multipart part headers are not terminated by an empty line"
                            : "multipart part headers exceed " + MAX_HEADER_BYTES + " bytes");
                }
                headerEnd += 2; // keep the last header's CRLF inside the block
            }
            Map<String, String> headers = headers(body, at, headerEnd);
            int bodyStart = headerEnd + 2;
            int bodyEnd = indexOf(body, delimiter, bodyStart);
            if (bodyEnd < 0) {
                throw ApiException.invalid("invalid_multipart", null, "multipart body ends before the closing boundary (truncated upload?)");
            }
            parts.add(part(headers, java.util.Arrays.copyOfRange(body, bodyStart, bodyEnd)));
            at = bodyEnd + delimiter.length;
        }
    }

    private static Part part(Map<String, String> headers, byte[] content) throws ApiException {
        String disposition = headers.get("content-disposition");
        if (disposition == null) throw ApiException.invalid("invalid_multipart", null, "multipart part has no Content-Disposition header");
        int semi = disposition.indexOf(';');
        String kind = (semi < 0 ? disposition : disposition.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        if (!kind.equals("form-data")) {
            throw ApiException.invalid("invalid_multipart", null, "multipart part has Content-Disposition '" + kind + "', expected form-data");
        }
        Map<String, String> params = semi < 0 ? Map.of() : parameters(disposition.substring(semi + 1), "Content-Disposition");
        String name = params.get("name");
        if (name == null || name.isEmpty()) throw ApiException.invalid("invalid_multipart", null, "multipart part has no field name");
        String filename = params.containsKey("filename*") ? extendedValue(params.get("filename*")) : params.get("filename");
        return new Part(name, filename, headers.get("content-type"), content);
    }

    /** Header lines of one part, names lower-cased; UTF-8 (RFC 7578 allows it in field names and file names). */
    private static Map<String, String> headers(byte[] body, int from, int to) throws ApiException {
        Map<String, String> headers = new LinkedHashMap<>();
        String block = new String(body, from, to - from, StandardCharsets.UTF_8);
        for (String line : block.split("\r\n")) {
            if (line.isEmpty()) continue;
            int colon = line.indexOf(':');
            if (colon <= 0) throw ApiException.invalid("invalid_multipart", null, "malformed multipart header line '" + abbreviate(line) + "'");
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        return headers;
    }

    /** {@code ; key=value; key="quoted \" value"} parameters; keys lower-cased. */
    static Map<String, String> parameters(String text, String header) throws ApiException {
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && (text.charAt(i) == ';' || Character.isWhitespace(text.charAt(i)))) i++;
            if (i >= n) break;
            int eq = text.indexOf('=', i);
            if (eq < 0) throw ApiException.invalid("invalid_multipart", null, header + " parameter without '=': '" + abbreviate(text.substring(i)) + "'");
            String key = text.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            i = eq + 1;
            while (i < n && text.charAt(i) == ' ') i++;
            StringBuilder value = new StringBuilder();
            boolean quoted = i < n && text.charAt(i) == '"';
            if (quoted) {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) value.append(text.charAt(i++));
                    else if (c == '"') { closed = true; break; }
                    else value.append(c);
                }
                if (!closed) throw ApiException.invalid("invalid_multipart", null, header + " parameter '" + key + "' has an unterminated quoted value");
            } else {
                while (i < n && text.charAt(i) != ';') value.append(text.charAt(i++));
            }
            // A quoted value is taken verbatim; an unquoted one ends at ';' and loses surrounding white space.
            params.put(key, quoted ? value.toString() : value.toString().strip());
        }
        return params;
    }

    /** RFC 5987 {@code charset'lang'percent-encoded}, e.g. {@code UTF-8''na%C3%AFve.wav}. */
    private static String extendedValue(String value) throws ApiException {
        int first = value.indexOf('\'');
        int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
        if (second < 0) throw ApiException.invalid("invalid_multipart", null, "filename* is not of the form charset''value");
        String charset = value.substring(0, first);
        try {
            return java.net.URLDecoder.decode(value.substring(second + 1).replace("+", "%2B"), java.nio.charset.Charset.forName(charset));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("invalid_multipart", null, "filename* cannot be decoded: " + e.getMessage());
        }
    }

    private static String abbreviate(String s) { return s.length() <= 60 ? s : s.substring(0, 60) + "..."; }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > data.length) return false;
        for (int i = 0; i < prefix.length; i++) if (data[at + i] != prefix[i]) return false;
        return true;
    }

    /** First index of {@code needle} in {@code data} at or after {@code from}, or -1. */
    static int indexOf(byte[] data, byte[] needle, int from) {
        byte first = needle[0];
        int last = data.length - needle.length;
        for (int i = Math.max(from, 0); i <= last; i++) {
            if (data[i] != first) continue;
            int j = 1;
            while (j < needle.length && data[i + j] == needle[j]) j++;
            if (j == needle.length) return i;
        }
        return -1;
    }
}
