package dev.speechmamba.audio;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files of float arrays. Writes format version 1.0, {@code '<f4'}, C order, header padded so
 * the data starts on a 64-byte boundary (as {@code numpy.save} does). Reads versions 1.0–3.0 with
 * {@code '<f4'} or {@code '<f8'} data in C order (float64 is narrowed to float).
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** A float array and its shape. */
    public record Array(float[] data, int[] shape) { }

    private Npy() { }

    /** Writes a (frames, dims) float32 matrix. */
    public static void write(Path file, Features features) throws IOException {
        write(file, features.data(), features.frames(), features.dims());
    }

    /** Writes {@code data} as a float32 array of {@code shape} (C order). */
    public static void write(Path file, float[] data, int... shape) throws IOException {
        long count = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("Npy.write: negative dimension in " + Arrays.toString(shape));
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("Npy.write: " + data.length + " values for shape " + Arrays.toString(shape));
        }
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(", ");
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1; // magic, version, header length, dict, '\n'
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        if (header.length() > 65535) throw new IllegalArgumentException("Npy.write: header too long for format 1.0");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(MAGIC);
            out.write(new byte[] {1, 0, (byte) header.length(), (byte) (header.length() >> 8)});
            out.write(header.getBytes(StandardCharsets.US_ASCII));
            ByteBuffer block = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : data) {
                if (!block.hasRemaining()) {
                    out.write(block.array(), 0, block.position());
                    block.clear();
                }
                block.putFloat(v);
            }
            out.write(block.array(), 0, block.position());
        }
    }

    /** Reads a float32 or float64 array; anything else is an {@link IOException} naming the file. */
    public static Array read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer prefix = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(prefix, 0);
            if (prefix.position() < 10) throw new IOException(file + ": too short for a .npy file");
            for (int i = 0; i < MAGIC.length; i++) {
                if (prefix.get(i) != MAGIC[i]) throw new IOException(file + ": not a .npy file (bad magic)");
            }
            int major = prefix.get(6);
            long headerLength;
            int headerStart;
            if (major == 1) {
                headerLength = Short.toUnsignedInt(prefix.getShort(8));
                headerStart = 10;
            } else if (major == 2 || major == 3) {
                headerLength = Integer.toUnsignedLong(prefix.getInt(8));
                headerStart = 12;
            } else {
                throw new IOException(file + ": unsupported .npy version " + major);
            }
            if (headerStart + headerLength > size || headerLength > 1 << 20) {
                throw new IOException(file + ": truncated or corrupt .npy header");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, headerStart);
            String header = new String(headerBytes.array(), StandardCharsets.ISO_8859_1);
            String descr = group(file, DESCR, header, "descr");
            if (group(file, FORTRAN, header, "fortran_order").equals("True")) {
                throw new IOException(file + ": Fortran-order arrays are not supported");
            }
            String shapeText = group(file, SHAPE, header, "shape").trim();
            int[] shape = shapeText.isEmpty() ? new int[0]
                    : Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                    .mapToInt(Integer::parseInt).toArray();
            long count = 1;
            for (int d : shape) count *= d;
            int width = switch (descr) {
                case "<f4" -> 4;
                case "<f8" -> 8;
                default -> throw new IOException(file + ": unsupported dtype " + descr + " (need '<f4' or '<f8')");
            };
            long dataStart = headerStart + headerLength;
            if (count > Integer.MAX_VALUE - 16 || dataStart + count * width > size) {
                throw new IOException(file + ": truncated .npy data (" + count + " values of " + width + " bytes declared)");
            }
            ByteBuffer body = ByteBuffer.allocate((int) (count * width)).order(ByteOrder.LITTLE_ENDIAN);
            long at = dataStart;
            while (body.hasRemaining()) {
                int n = channel.read(body, at);
                if (n < 0) throw new IOException(file + ": unexpected end of file");
                at += n;
            }
            float[] data = new float[(int) count];
            for (int i = 0; i < data.length; i++) data[i] = width == 4 ? body.getFloat(i * 4) : (float) body.getDouble(i * 8);
            return new Array(data, shape);
        }
    }

    private static String group(Path file, Pattern pattern, String header, String key) throws IOException {
        Matcher m = pattern.matcher(header);
        if (!m.find()) throw new IOException(file + ": .npy header has no " + key + ": " + header.trim());
        return m.group(1);
    }
}
