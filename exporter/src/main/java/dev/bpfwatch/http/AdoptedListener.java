package dev.bpfwatch.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;

/**
 * Makes a JDK HttpServer serve on a listening socket it did not open (one
 * the service manager passed: --web.listen-address=fd://0). The JDK's
 * server has no API for this: it always opens its own channel. So, before
 * the server starts, its channel is swapped for the given one and
 * registered with its selector in the old one's place; the fields are those
 * of sun.net.httpserver.ServerImpl, unchanged from JDK 6 to 25, and written
 * through sun.misc.Unsafe because the module does not open them. If a JDK
 * ever renames them, start-up fails with one line saying so, never later.
 */
final class AdoptedListener {
    private AdoptedListener() {
    }

    static void adopt(HttpServer server, ServerSocketChannel listening) throws IOException {
        try {
            sun.misc.Unsafe unsafe = unsafe();
            Object impl = get(unsafe, server, field(server.getClass(), "server"));
            Class<?> type = impl.getClass();
            Field schan = field(type, "schan");
            Field selectorField = field(type, "selector");
            Field listenerKey = field(type, "listenerKey");
            ServerSocketChannel own = (ServerSocketChannel) get(unsafe, impl, schan);
            Selector selector = (Selector) get(unsafe, impl, selectorField);
            SelectionKey ownKey = (SelectionKey) get(unsafe, impl, listenerKey);
            listening.configureBlocking(false);
            SelectionKey key = listening.register(selector, SelectionKey.OP_ACCEPT);
            unsafe.putObject(impl, unsafe.objectFieldOffset(schan), listening);
            unsafe.putObject(impl, unsafe.objectFieldOffset(listenerKey), key);
            ownKey.cancel();
            own.close();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IOException("this JDK's HTTP server cannot adopt a passed socket (" + e + ")", e);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                return c.getDeclaredField(name);
            } catch (NoSuchFieldException e) {
                // look further up
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    private static Object get(sun.misc.Unsafe unsafe, Object o, Field f) {
        return unsafe.getObject(o, unsafe.objectFieldOffset(f));
    }

    private static sun.misc.Unsafe unsafe() throws ReflectiveOperationException {
        Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        return (sun.misc.Unsafe) f.get(null);
    }
}
