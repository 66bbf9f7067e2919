package dev.distil4j.weights;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distil4j.io.JsonInput;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A checkpoint split over several files, described by {@code model.safetensors.index.json} or
 * {@code pytorch_model.bin.index.json}
 * ({@code {"metadata": {...}, "weight_map": {"tensor": "model-00001-of-00002.safetensors"}}}).
 */
public final class ShardedWeights implements Weights {
    private final Path index;
    private final Map<String, Weights> byTensor;
    private final List<Weights> shards;

    private ShardedWeights(Path index, Map<String, Weights> byTensor, List<Weights> shards) {
        this.index = index;
        this.byTensor = byTensor;
        this.shards = shards;
    }

    /** Opens every shard named by the index and checks that each tensor is where the index says. */
    public static ShardedWeights open(Path indexFile) {
        JsonNode root = JsonInput.read(indexFile, WeightsException::new);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new WeightsException(indexFile + ": no \"weight_map\" object");
        }
        Map<String, Weights> files = new LinkedHashMap<>();
        Map<String, Weights> byTensor = new LinkedHashMap<>();
        try {
            for (var it = map.fields(); it.hasNext(); ) {
                var e = it.next();
                String shardName = e.getValue().asText();
                Path shardPath = indexFile.resolveSibling(shardName).normalize();
                if (!shardPath.getParent().equals(indexFile.toAbsolutePath().normalize().getParent())
                        && !shardPath.getParent().equals(indexFile.getParent())) {
                    throw new WeightsException(indexFile + ": shard \"" + shardName + "\" is outside the model directory");
                }
                Weights shard = files.get(shardName);
                if (shard == null) {
                    if (!Files.isRegularFile(shardPath)) {
                        throw new WeightsException(indexFile + ": shard file " + shardPath + " is missing");
                    }
                    shard = Checkpoints.openFile(shardPath);
                    files.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) {
                    throw new WeightsException(indexFile + ": tensor '" + e.getKey() + "' is not in " + shardPath);
                }
                byTensor.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            files.values().forEach(Weights::close);
            throw e;
        }
        return new ShardedWeights(indexFile, Collections.unmodifiableMap(byTensor), List.copyOf(files.values()));
    }

    @Override
    public String source() {
        return index.toString();
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        Weights w = byTensor.get(name);
        return w == null ? Optional.empty() : w.info(name);
    }

    @Override
    public FloatTensor floats(String name) {
        Weights w = byTensor.get(name);
        if (w == null) throw new WeightsException(source() + ": no tensor '" + name + "'");
        return w.floats(name);
    }

    /** The shards, in index order. */
    public List<Weights> shards() {
        return new ArrayList<>(shards);
    }

    @Override
    public void close() {
        shards.forEach(Weights::close);
    }
}
