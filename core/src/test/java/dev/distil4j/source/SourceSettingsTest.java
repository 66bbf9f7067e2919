package dev.distil4j.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The environment variables huggingface_hub reads, with its precedence and defaults. */
class SourceSettingsTest {
    @TempDir
    Path tmp;

    @Test
    void defaultsAreHuggingfaceHubs() {
        SourceSettings s = SourceSettings.from(Map.of(), tmp, null);
        assertEquals(URI.create("https://huggingface.co"), s.hubEndpoint());
        assertEquals(tmp.resolve(".cache/huggingface/hub"), s.hubCache());
        assertEquals(tmp.resolve(".cache/distil4j"), s.cacheDir());
        assertEquals(tmp.resolve(".m2/settings.xml"), s.mavenSettings());
        assertFalse(s.hubOffline());
        assertNull(s.hubToken());
    }

    @Test
    void variablesOverrideInHuggingfaceHubsOrder() throws IOException {
        Path hfHome = Files.createDirectories(tmp.resolve("hfhome"));
        Files.writeString(hfHome.resolve("token"), "hf_fromfile\n");
        SourceSettings s = SourceSettings.from(Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT", "http://mirror.local/",
                "HF_HUB_OFFLINE", "true", "XDG_CACHE_HOME", tmp.resolve("xdg").toString()), tmp, null);
        assertEquals(hfHome.resolve("hub"), s.hubCache());
        assertEquals(URI.create("http://mirror.local"), s.hubEndpoint());
        assertTrue(s.hubOffline());
        assertEquals("hf_fromfile", s.hubToken());
        assertEquals(tmp.resolve("xdg/distil4j"), s.cacheDir());

        SourceSettings t = SourceSettings.from(Map.of("HF_HOME", hfHome.toString(), "HF_HUB_CACHE", tmp.resolve("c").toString(),
                "HF_TOKEN", "hf_env", "HF_HUB_OFFLINE", "0"), tmp, null);
        assertEquals(tmp.resolve("c"), t.hubCache());
        assertEquals("hf_env", t.hubToken());
        assertFalse(t.hubOffline());
        assertEquals(tmp.resolve("xdg2/huggingface/hub"),
                SourceSettings.from(Map.of("XDG_CACHE_HOME", tmp.resolve("xdg2").toString()), tmp, null).hubCache());
    }

    @Test
    void etagsAreNormalizedAsHuggingfaceHubDoes() {
        assertEquals("abc", HubClient.normalizeEtag("W/\"abc\""));
        assertEquals("abc", HubClient.normalizeEtag("\"abc\""));
        assertEquals("abc", HubClient.normalizeEtag("abc"));
        assertNull(HubClient.normalizeEtag(null));
        assertEquals("models--sentence-transformers--all-distilroberta-v1",
                HubCache.folderName("sentence-transformers/all-distilroberta-v1"));
    }
}
