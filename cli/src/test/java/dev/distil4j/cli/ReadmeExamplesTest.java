package dev.distil4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.server.InferenceServer;
import dev.distil4j.server.ServerOptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.xml.sax.InputSource;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The shell examples of the README and docs/ are read by a real bash, as a user pasting them would. */
class ReadmeExamplesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern BASH_BLOCK = Pattern.compile("```(?:bash|sh|shell)\\n(.*?)```", Pattern.DOTALL);

    /** Every ```bash block parses (bash -n): an unbalanced quote fails here, not in a user's terminal. */
    @Test
    void everyShellExampleParses() throws Exception {
        List<Path> docs = new ArrayList<>(List.of(ROOT.resolve("README.md")));
        try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<String> failures = new ArrayList<>();
        int blocks = 0;
        for (Path doc : docs) {
            for (String block : bashBlocks(doc)) {
                blocks++;
                CliProcess.Result r = bash(List.of("bash", "-n"), block);
                if (r.code() != 0) failures.add(ROOT.relativize(doc) + ": " + r.err().strip() + "\n" + block);
            }
        }
        assertThat(blocks).isGreaterThan(20);
        assertThat(failures).isEmpty();
    }

    /**
     * The README's serve example, word-split by bash: the curl body is valid JSON that the server
     * answers for the model the serve line names, at the URL and port the serve line gives.
     */
    @Test
    void readmeServeExampleWorksAsWritten() throws Exception {
        String block = bashBlocks(ROOT.resolve("README.md")).stream().filter(b -> b.contains("./distil4j serve")).findFirst()
                .orElseThrow();
        List<String> serve = words(block.lines().filter(l -> l.startsWith("./distil4j serve")).findFirst().orElseThrow());
        List<String> curl = words(block.lines().filter(l -> l.startsWith("curl")).findFirst().orElseThrow());
        String model = serve.get(serve.indexOf("--model") + 1);
        String port = serve.get(serve.indexOf("--port") + 1);
        String body = curl.get(curl.indexOf("-d") + 1);
        URI url = URI.create(curl.stream().filter(w -> w.startsWith("http")).findFirst().orElseThrow());
        assertEquals(port, String.valueOf(url.getPort()));
        assertEquals("/models/" + model, url.getPath());
        assertThat(CliRun.MAPPER.readTree(body).get("inputs").asText()).isEqualTo("Hello I'm a [MASK] model.");

        // the tiny MLM stands in for BERT-base under the README's id; the port is the test's own
        Path tiny = CliRun.shared("fixtures/models/distilbert-mlm");
        try (InferenceServer s = InferenceServer.start(Map.of(model, tiny), ServerOptions.builder().port(0).build())) {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(s.url() + url.getPath())).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode top = CliRun.MAPPER.readTree(r.body());
            assertEquals(5, top.size(), r.body());
            assertThat(top.get(0).get("sequence").asText()).isNotBlank();
        }
    }

    /** The README's Maven coordinates are the poms': the dependency snippet, and every artifactId its table names. */
    @Test
    void readmeMavenCoordinatesAreThePoms() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher xml = Pattern.compile("```xml\\n(<dependency>.*?</dependency>)\\n```", Pattern.DOTALL).matcher(readme);
        assertThat(xml.find()).as("a <dependency> snippet in the README").isTrue();
        Element dep = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader(xml.group(1)))).getDocumentElement();
        Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
        assertEquals(child(pom, "groupId"), child(dep, "groupId"));
        assertEquals(child(pom, "version"), child(dep, "version"));
        Map<String, String> modules = new java.util.TreeMap<>();
        for (String module : List.of("tokenizers", "core", "pipelines", "train", "server", "spark")) {
            Element m = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(ROOT.resolve(module).resolve("pom.xml").toFile()).getDocumentElement();
            modules.put(child(m, "artifactId"), module);
        }
        assertThat(modules).containsKey(child(dep, "artifactId"));
        Matcher row = Pattern.compile("(?m)^\\| `(distil4j-[a-z]+)` \\|").matcher(readme);
        List<String> listed = new ArrayList<>();
        while (row.find()) listed.add(row.group(1));
        assertThat(listed).containsExactlyInAnyOrderElementsOf(modules.keySet());
    }

    private static String child(Element e, String name) {
        for (var n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) return c.getTextContent().strip();
        }
        throw new AssertionError("no <" + name + "> in <" + e.getTagName() + ">");
    }

    private static List<String> bashBlocks(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = BASH_BLOCK.matcher(Files.readString(doc));
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** A command line as bash splits it into words (quotes and escapes removed), without running it. */
    private static List<String> words(String line) throws Exception {
        CliProcess.Result r = bash(List.of("bash", "-c", "words() { printf '%s\\0' \"$@\"; }; eval \"words $(cat)\""), line);
        assertEquals(0, r.code(), r.err());
        return Arrays.asList(r.out().split("\0"));
    }

    private static CliProcess.Result bash(List<String> command, String stdin) {
        return CliProcess.exec(Map.of(), stdin, false, command);
    }
}
