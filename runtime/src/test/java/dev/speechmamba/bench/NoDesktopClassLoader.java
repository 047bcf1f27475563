package dev.speechmamba.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads the project's own classes afresh and refuses java.awt and javax.imageio, as a jlink'd runtime
 * without the java.desktop module would: project code that touches AWT fails to link exactly as on such a
 * GPU node (NoClassDefFoundError), while everything else (JDK, libraries) comes from the normal loader.
 */
public final class NoDesktopClassLoader extends ClassLoader {
    private static final String OWN = "dev.speechmamba.";

    public NoDesktopClassLoader() {
        super("no-java.desktop", NoDesktopClassLoader.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith("java.awt.") || name.startsWith("javax.imageio.")) {
            throw new ClassNotFoundException(name + " (no java.desktop module in this simulated runtime)");
        }
        if (!name.startsWith(OWN)) return super.loadClass(name, resolve);
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                String resource = name.replace('.', '/') + ".class";
                try (InputStream in = getParent().getResourceAsStream(resource)) {
                    if (in == null) throw new ClassNotFoundException(name);
                    byte[] bytes = in.readAllBytes();
                    loaded = defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (resolve) resolveClass(loaded);
            return loaded;
        }
    }
}
