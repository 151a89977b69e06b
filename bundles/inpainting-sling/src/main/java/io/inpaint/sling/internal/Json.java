package io.inpaint.sling.internal;

import java.io.IOException;
import java.util.Calendar;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.servlet.http.HttpServletResponse;

/** Just enough JSON for the small answers the servlets give: an ordered object of strings, numbers and objects. */
final class Json {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    Json put(String name, Object value) {
        if (value != null) {
            fields.put(name, value);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        write(out, this);
        return out.toString();
    }

    void send(HttpServletResponse response, int status) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(toString());
    }

    static void sendError(HttpServletResponse response, HttpError error) throws IOException {
        if (error.retryAfterSeconds() > 0) {
            response.setHeader("Retry-After", Long.toString(error.retryAfterSeconds()));
        }
        new Json().put("error", error.getMessage()).put("status", error.status()).send(response, error.status());
    }

    private static void write(StringBuilder out, Object value) {
        if (value instanceof Json) {
            out.append('{');
            String sep = "";
            for (Map.Entry<String, Object> e : ((Json) value).fields.entrySet()) {
                out.append(sep);
                quote(out, e.getKey());
                out.append(':');
                write(out, e.getValue());
                sep = ",";
            }
            out.append('}');
        } else if (value instanceof Iterable) {
            out.append('[');
            String sep = "";
            for (Object item : (Iterable<?>) value) {
                out.append(sep);
                write(out, item);
                sep = ",";
            }
            out.append(']');
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Calendar) {
            quote(out, ((Calendar) value).toInstant().toString());
        } else {
            quote(out, String.valueOf(value));
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
