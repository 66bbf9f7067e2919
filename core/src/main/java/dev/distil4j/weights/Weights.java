package dev.distil4j.weights;

import java.util.Optional;
import java.util.Set;

/**
 * A set of named tensors read from one checkpoint (a safetensors file, a sharded set, a
 * PyTorch pickle, a TensorFlow bundle). Names are the checkpoint's own keys, which for
 * Hugging Face checkpoints carry HF parameter names, possibly with a model prefix
 * ({@code distilbert.}, {@code bert.}, {@code roberta.}); {@link Parameters} resolves those.
 *
 * <p>Implementations own their resources (mapped files, widened copies): close the weights once
 * the model built from them is no longer used. A mapped file is unmapped by the JVM when it is
 * no longer reachable; after {@link #close()} every accessor throws.
 */
public interface Weights extends AutoCloseable {

    /** The file or directory the tensors come from, for messages. */
    String source();

    /** Every tensor name, in file order. */
    Set<String> names();

    /** Dtype and shape of a tensor, if present. */
    Optional<TensorInfo> info(String name);

    /**
     * The tensor as float32. F32 data is returned as a view of the file (no copy); F16/BF16 are
     * widened once and cached.
     *
     * @throws WeightsException if absent or not a float type
     */
    FloatTensor floats(String name);

    default boolean contains(String name) {
        return info(name).isPresent();
    }

    @Override
    void close();
}
