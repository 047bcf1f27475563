package dev.speechmamba.cuda;

/** cuMemGetInfo: free and total device memory in bytes. */
public record MemInfo(long freeBytes, long totalBytes) {
}
