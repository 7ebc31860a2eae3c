package dev.backlight.densenet.pretrained;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local HTTP server (the JDK's own) on 127.0.0.1 that serves one file at {@code /model.safetensors}
 * for the download tests, whole or broken off halfway, and counts the requests.
 */
public final class WeightsServer implements AutoCloseable {
    /** How the server answers. */
    public enum Mode {
        /** The whole file with its Content-Length. */
        WHOLE,
        /** The full Content-Length, but only half the bytes, then the connection is closed. */
        HALF_THEN_CLOSE,
        /** 404 Not Found. */
        NOT_FOUND,
        /** The whole file in chunked transfer encoding, without a Content-Length. */
        CHUNKED,
        /** The whole file with its Content-Length, in pieces over about a second. */
        SLOW
    }

    private final HttpServer server;
    private final byte[] content;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Mode mode = Mode.WHOLE;

    public WeightsServer(byte[] content) throws IOException {
        this.content = content.clone();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/model.safetensors", this::answer);
        server.start();
    }

    /** Sets how later requests are answered. */
    public void mode(Mode m) {
        mode = m;
    }

    /** The file's URL. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/model.safetensors");
    }

    /** The number of requests served so far. */
    public int requests() {
        return requests.get();
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            switch (mode) {
                case NOT_FOUND -> exchange.sendResponseHeaders(404, -1);
                case WHOLE -> {
                    exchange.sendResponseHeaders(200, content.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(content);
                    }
                }
                case CHUNKED -> {
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(content);
                    }
                }
                case SLOW -> {
                    exchange.sendResponseHeaders(200, content.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        int piece = content.length / 10 + 1;
                        for (int from = 0; from < content.length; from += piece) {
                            out.write(content, from, Math.min(piece, content.length - from));
                            out.flush();
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                case HALF_THEN_CLOSE -> {
                    exchange.sendResponseHeaders(200, content.length);
                    OutputStream out = exchange.getResponseBody();
                    out.write(Arrays.copyOf(content, content.length / 2));
                    out.flush();
                    // Closing the exchange short of Content-Length makes the server drop the connection.
                }
            }
        } catch (IOException expected) {
            // HALF_THEN_CLOSE: "insufficient bytes written to stream".
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
