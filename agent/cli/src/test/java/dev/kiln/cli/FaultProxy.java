package dev.kiln.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;

/**
 * A small HTTP/1.1 proxy on loopback that injects one fault per request, in the order queued, and
 * passes requests through to the real service once the queue is empty. Faults: reset the
 * connection mid-body, lose the response after the service stored the bundle, answer late, answer
 * a status of its own (with Retry-After), answer garbage, or stall forever.
 */
final class FaultProxy implements AutoCloseable {
    enum Kind { PASS, RESET_MID_BODY, LOSE_RESPONSE, SLOW, STATUS, GARBAGE, STALL_AFTER_FORWARD, STALL_MID_BODY }

    /** One fault. */
    record Fault(Kind kind, int status, String retryAfter, long delayMillis) {
        static Fault of(Kind k) {
            return new Fault(k, 0, null, 0);
        }

        static Fault status(int code, String retryAfter) {
            return new Fault(Kind.STATUS, code, retryAfter, 0);
        }

        static Fault slow(long millis) {
            return new Fault(Kind.SLOW, 0, null, millis);
        }
    }

    private final ServerSocket listener;
    private final int target;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    final List<String> seen = new CopyOnWriteArrayList<>();
    final AtomicInteger bodyBytesSeen = new AtomicInteger();
    private volatile boolean closed;

    FaultProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "fault-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    FaultProxy then(Fault... f) {
        faults.addAll(List.of(f));
        return this;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                Thread t = new Thread(() -> serve(s), "fault-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private record Request(String head, byte[] body) {
        byte[] bytes() {
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            o.writeBytes(body);
            return o.toByteArray();
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                seen.add(head.lines().findFirst().orElse(""));
                int length = contentLength(head);
                Fault f = faults.poll();
                Kind k = f == null ? Kind.PASS : f.kind();
                if (k == Kind.RESET_MID_BODY || k == Kind.STALL_MID_BODY) {
                    byte[] half = in.readNBytes(length / 2);
                    bodyBytesSeen.addAndGet(half.length);
                    if (k == Kind.STALL_MID_BODY) {
                        Thread.sleep(Long.MAX_VALUE);
                    }
                    reset(client);
                    return;
                }
                byte[] body = in.readNBytes(length);
                bodyBytesSeen.addAndGet(body.length);
                Request req = new Request(head, body);
                switch (k) {
                    case STATUS -> {
                        String extra = f.retryAfter() == null ? "" : "Retry-After: " + f.retryAfter() + "\r\n";
                        byte[] msg = ("{\"error\":\"injected " + f.status() + "\"}").getBytes(StandardCharsets.UTF_8);
                        out.write(("HTTP/1.1 " + f.status() + " Injected\r\nContent-Type: application/json\r\n" + extra
                                + "Content-Length: " + msg.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(msg);
                        out.flush();
                        return;
                    }
                    case GARBAGE -> {
                        byte[] html = "<html><body>Welcome to the factory portal</body></html>".getBytes(StandardCharsets.UTF_8);
                        out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: " + html.length
                                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(html);
                        out.flush();
                        return;
                    }
                    default -> {
                    }
                }
                byte[] response = forward(req);
                switch (k) {
                    case LOSE_RESPONSE -> {
                        reset(client);
                        return;
                    }
                    case STALL_AFTER_FORWARD -> Thread.sleep(Long.MAX_VALUE);
                    case SLOW -> Thread.sleep(f.delayMillis());
                    default -> {
                    }
                }
                out.write(response);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the client went away: fine for a fault injector
        }
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0); // close with RST
        s.close();
    }

    private byte[] forward(Request req) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), target)) {
            s.getOutputStream().write(req.bytes());
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            if (head == null) {
                throw new IOException("service closed the connection");
            }
            byte[] body = in.readNBytes(contentLength(head));
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
            o.writeBytes(body);
            return o.toByteArray();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).trim());
            }
        }
        return 0;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
    }
}
