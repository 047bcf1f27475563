package dev.speechmamba.cli;

import dev.speechmamba.model.ModelConfig;

import java.util.Iterator;

/**
 * The shipped config names as picocli completion candidates, so that option help writes them with
 * {@code ${COMPLETION-CANDIDATES}} from {@link ModelConfig#NAMED} instead of a copy of the list.
 */
final class NamedConfigs implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
        return ModelConfig.NAMED.iterator();
    }
}
