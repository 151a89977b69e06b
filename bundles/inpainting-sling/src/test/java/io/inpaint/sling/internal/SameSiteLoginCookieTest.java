package io.inpaint.sling.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

import javax.servlet.ServletRequest;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServletResponse;

import org.junit.jupiter.api.Test;

class SameSiteLoginCookieTest {

    @Test
    void onlyTheConfiguredLoginCookieIsMarkedLax() throws Exception {
        SameSiteLoginCookie preprocessor = new SameSiteLoginCookie();
        preprocessor.activate(new SameSiteLoginCookie.Config() {
            @Override
            public String form_auth_name() {
                return "login";
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return SameSiteLoginCookie.Config.class;
            }
        });
        List<Cookie> added = new ArrayList<>();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> {
                    if (!"addCookie".equals(m.getName())) {
                        throw new UnsupportedOperationException(m.getName());
                    }
                    added.add((Cookie) args[0]);
                    return null;
                });
        ServletRequest request = (ServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ServletRequest.class}, (proxy, m, args) -> {
                    throw new UnsupportedOperationException(m.getName());
                });
        preprocessor.doFilter(request, response, (req, res) -> {
            HttpServletResponse http = (HttpServletResponse) res;
            http.addCookie(new Cookie("login", "token"));
            http.addCookie(new Cookie("other", "value"));
        });
        assertEquals(2, added.size());
        assertEquals(SameSiteLoginCookie.JETTY_SAME_SITE_LAX, added.get(0).getComment());
        assertNull(added.get(1).getComment());
    }
}
