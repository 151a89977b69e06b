package io.inpaint.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the tests: GET, urlencoded and multipart POST, as admin or anonymous. */
public final class Http {

    /** A response: status, content type, Retry-After and body. */
    public static final class Response {
        public final int status;
        public final String contentType;
        public final String retryAfter;
        public final byte[] body;

        Response(int status, String contentType, String retryAfter, byte[] body) {
            this.status = status;
            this.contentType = contentType;
            this.retryAfter = retryAfter;
            this.body = body;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + (contentType != null && contentType.startsWith("image/")
                    ? body.length + " bytes" : text());
        }
    }

    /** Parts of a multipart/form-data body: fields and files. */
    public static final class Form {
        private final List<Object[]> parts = new ArrayList<>();

        public Form field(String name, String value) {
            parts.add(new Object[] {name, null, value.getBytes(StandardCharsets.UTF_8)});
            return this;
        }

        public Form file(String name, String fileName, byte[] data) {
            parts.add(new Object[] {name, fileName, data});
            return this;
        }
    }

    private final String base;
    private final String credentials;
    private final Map<String, String> headers;

    public Http(String base, String user, String password) {
        this(base, user == null ? null
                : Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)),
                Map.of());
    }

    private Http(String base, String credentials, Map<String, String> headers) {
        this.base = base;
        this.credentials = credentials;
        this.headers = headers;
    }

    public Http anonymous() {
        return new Http(base, null, headers);
    }

    /**
     * The same client sending one more header with every request. {@code Origin} needs
     * {@code -Dsun.net.http.allowRestrictedHeaders=true} (set by the pom), or HttpURLConnection drops it.
     */
    public Http header(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Http(base, credentials, Map.copyOf(more));
    }

    public Response get(String path) throws IOException {
        return send(open(path, "GET"), null);
    }

    public Response post(String path, Form form) throws IOException {
        HttpURLConnection conn = open(path, "POST");
        String boundary = "----inpaint-it-" + System.nanoTime();
        conn.setRequestProperty("Content-Type", "multipart/form-data; boundary=" + boundary);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object[] part : form.parts) {
            StringBuilder head = new StringBuilder("--").append(boundary)
                    .append("\r\nContent-Disposition: form-data; name=\"").append(part[0]).append('"');
            if (part[1] != null) {
                // a neutral type: the server must judge the bytes, not this header
                head.append("; filename=\"").append(part[1]).append("\"\r\nContent-Type: application/octet-stream");
            }
            body.writeBytes(head.append("\r\n\r\n").toString().getBytes(StandardCharsets.UTF_8));
            body.writeBytes((byte[]) part[2]);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return send(conn, body.toByteArray());
    }

    private HttpURLConnection open(String path, String method) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) new URL(base + path).openConnection();
        conn.setRequestMethod(method);
        conn.setConnectTimeout(10_000);
        conn.setReadTimeout(300_000);
        if (credentials != null) {
            conn.setRequestProperty("Authorization", "Basic " + credentials);
        }
        headers.forEach(conn::setRequestProperty);
        return conn;
    }

    private static Response send(HttpURLConnection conn, byte[] body) throws IOException {
        if (body != null) {
            conn.setDoOutput(true);
            conn.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = conn.getOutputStream()) {
                out.write(body);
            }
        }
        int status = conn.getResponseCode();
        InputStream in = status < 400 ? conn.getInputStream() : conn.getErrorStream();
        byte[] data = new byte[0];
        if (in != null) {
            try (in) {
                data = in.readAllBytes();
            }
        }
        Response response = new Response(status, conn.getContentType(), conn.getHeaderField("Retry-After"), data);
        conn.disconnect();
        return response;
    }
}
