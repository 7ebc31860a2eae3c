package dev.backlight.densenet.pretrained;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HTTP/1.1 server, written on a bare socket, that answers every request with {@code 200 OK},
 * {@code Connection: close} and no {@code Content-Length}: the body ends when the connection
 * closes, so a client cannot tell a dropped connection from the end of the file. It sends the
 * first {@code sent} bytes of its content.
 */
final class UndelimitedServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;

    UndelimitedServer(byte[] content, int sent) throws IOException {
        socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        byte[] body = Arrays.copyOf(content, sent);
        thread = new Thread(() -> serve(body), "undelimited-server");
        thread.setDaemon(true);
        thread.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/model.safetensors");
    }

    private void serve(byte[] body) {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                // The request ends with an empty line; nothing in it matters here.
                var in = client.getInputStream();
                int matched = 0;
                while (matched < 4) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
                }
                OutputStream out = client.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
