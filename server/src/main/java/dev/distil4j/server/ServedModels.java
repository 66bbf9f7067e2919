package dev.distil4j.server;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The models being served, in the order given. The routes exist before any model has loaded (they
 * answer 503 until then), so the set grows while the server starts: each change publishes a new
 * immutable map.
 */
final class ServedModels {
    private volatile Map<String, ServedModel> models = Map.of();

    synchronized void add(ServedModel m) {
        Map<String, ServedModel> next = new LinkedHashMap<>(models);
        if (next.putIfAbsent(m.id(), m) != null) throw new IllegalArgumentException("two models would be served as \"" + m.id() + "\"");
        models = java.util.Collections.unmodifiableMap(next);
    }

    /** The model {@code id}; 404 naming the served ones when there is none. */
    ServedModel get(String id) {
        ServedModel m = models.get(id);
        if (m == null) throw ApiException.notFound("model \"" + id + "\" is not served here (served: " + ids() + ")");
        return m;
    }

    /** The model that routes without a model id answer for (TEI's): the first one given. */
    ServedModel first() {
        Collection<ServedModel> all = models.values();
        if (all.isEmpty()) throw ApiException.unhealthy("no model is loaded yet");
        return all.iterator().next();
    }

    Set<String> ids() {
        return models.keySet();
    }

    Collection<ServedModel> all() {
        return models.values();
    }
}
