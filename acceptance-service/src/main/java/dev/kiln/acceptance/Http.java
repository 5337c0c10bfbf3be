package dev.kiln.acceptance;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;

/** Answers as every route sends them: bytes of a type, or a stored blob from its file; HEAD gets the headers only. */
final class Http {
    private Http() {
    }

    /** A stored blob sent from its file a buffer at a time (never held whole), then a temporary copy removed. */
    static void sendFile(HttpExchange ex, String type, BlobStore.Stored f) throws IOException {
        try {
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (head) {
                ex.getResponseHeaders().set("Content-Length", Long.toString(f.size()));
            }
            ex.sendResponseHeaders(200, head ? -1 : f.size());
            try (OutputStream o = ex.getResponseBody()) {
                if (!head) {
                    java.nio.file.Files.copy(f.path(), o);
                }
            }
        } finally {
            if (f.temporary()) {
                java.nio.file.Files.deleteIfExists(f.path());
            }
        }
    }

    static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head && body.length > 0) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        }
        ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        try (OutputStream o = ex.getResponseBody()) {
            if (!head) {
                o.write(body);
            }
        }
    }
}
