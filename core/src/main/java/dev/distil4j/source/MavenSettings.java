package dev.distil4j.source;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Maven {@code settings.xml} that decide where artifacts come from: the local
 * repository, mirrors (with {@code mirrorOf} patterns: {@code *}, {@code central},
 * {@code external:*}, lists and {@code !exclusions}), server credentials for them, an active HTTP(S)
 * proxy, and offline mode. {@code ${user.home}} and {@code ${env.NAME}} are expanded.
 */
public record MavenSettings(Path localRepository, boolean offline, List<Mirror> mirrors, List<Server> servers, Proxy proxy) {

    public record Mirror(String id, String url, String mirrorOf) {}

    public record Server(String id, String username, String password) {}

    public record Proxy(String host, int port, String username, String password, String nonProxyHosts) {}

    public MavenSettings {
        mirrors = List.copyOf(mirrors);
        servers = List.copyOf(servers);
    }

    /** Reads {@code settingsXml} when it exists; defaults (local repository {@code mavenHome/repository}) otherwise. */
    public static MavenSettings read(Path settingsXml, Path mavenHome, Path userHome, Map<String, String> env) {
        Path defaultLocal = mavenHome.resolve("repository");
        if (settingsXml == null || !Files.isRegularFile(settingsXml)) {
            return new MavenSettings(defaultLocal, false, List.of(), List.of(), null);
        }
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setExpandEntityReferences(false);
            f.setNamespaceAware(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(settingsXml.toFile());
        } catch (Exception e) {
            throw new ModelSourceException(settingsXml + ": not a readable Maven settings file: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        String local = text(root, "localRepository", userHome, env);
        boolean offline = "true".equalsIgnoreCase(text(root, "offline", userHome, env));
        List<Mirror> mirrors = new ArrayList<>();
        for (Element m : children(child(root, "mirrors"), "mirror")) {
            String url = text(m, "url", userHome, env);
            if (url != null) mirrors.add(new Mirror(text(m, "id", userHome, env), url, orDefault(text(m, "mirrorOf", userHome, env), "")));
        }
        List<Server> servers = new ArrayList<>();
        for (Element s : children(child(root, "servers"), "server")) {
            servers.add(new Server(text(s, "id", userHome, env), text(s, "username", userHome, env), text(s, "password", userHome, env)));
        }
        Proxy proxy = null;
        for (Element p : children(child(root, "proxies"), "proxy")) {
            if ("false".equalsIgnoreCase(text(p, "active", userHome, env))) continue;
            String protocol = orDefault(text(p, "protocol", userHome, env), "http");
            if (!protocol.equalsIgnoreCase("http") && !protocol.equalsIgnoreCase("https")) continue;
            String host = text(p, "host", userHome, env);
            if (host == null) continue;
            int port = Integer.parseInt(orDefault(text(p, "port", userHome, env), "8080"));
            proxy = new Proxy(host, port, text(p, "username", userHome, env), text(p, "password", userHome, env),
                    text(p, "nonProxyHosts", userHome, env));
            break;
        }
        Path localRepo = local != null ? userHome.resolve(local) : defaultLocal;
        return new MavenSettings(localRepo, offline, mirrors, servers, proxy);
    }

    /** The mirror Maven would use for the repository {@code repoId} at {@code repoUrl}, or null. */
    public Mirror mirrorFor(String repoId, String repoUrl) {
        Mirror wildcard = null;
        for (Mirror m : mirrors) {
            // an exact id match wins over patterns, as in Maven's DefaultMirrorSelector
            if (m.mirrorOf.trim().equals(repoId)) return m;
        }
        for (Mirror m : mirrors) {
            if (matches(m.mirrorOf, repoId, repoUrl)) {
                wildcard = m;
                break;
            }
        }
        return wildcard;
    }

    public Server server(String id) {
        for (Server s : servers) if (s.id != null && s.id.equals(id)) return s;
        return null;
    }

    static boolean matches(String pattern, String repoId, String repoUrl) {
        boolean result = false;
        for (String raw : pattern.split(",")) {
            String p = raw.trim();
            if (p.isEmpty()) continue;
            boolean negate = p.startsWith("!");
            if (negate) p = p.substring(1);
            boolean hit = p.equals("*") || p.equals(repoId) || (p.equals("external:*") && !isLocal(repoUrl))
                    || (p.equals("external:http:*") && repoUrl.startsWith("http:") && !isLocal(repoUrl));
            if (hit && negate) return false;
            if (hit) result = true;
        }
        return result;
    }

    private static boolean isLocal(String url) {
        return url.startsWith("file:") || url.contains("://localhost") || url.contains("://127.0.0.1");
    }

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{(env\\.)?([^}]+)}");

    private static String text(Element parent, String name, Path userHome, Map<String, String> env) {
        Element e = child(parent, name);
        if (e == null) return null;
        String v = e.getTextContent().trim();
        Matcher m = PROPERTY.matcher(v);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = m.group(1) != null ? env.get(m.group(2)) : m.group(2).equals("user.home") ? userHome.toString() : null;
            m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(sb);
        return sb.isEmpty() ? null : sb.toString();
    }

    private static Element child(Element parent, String name) {
        if (parent == null) return null;
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element e && e.getTagName().equals(name)) return e;
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        if (parent == null) return out;
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            if (nl.item(i) instanceof Element e && e.getTagName().equals(name)) out.add(e);
        }
        return out;
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }
}
