package dev.distil4j.weights;

import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Google BERT TensorFlow 1 checkpoint seen under Hugging Face names, exactly as transformers'
 * {@code load_tf_weights_in_bert} maps it: {@code /} becomes {@code .}, {@code layer_N} becomes
 * {@code layer.N}, a dense {@code kernel} [in, out] becomes {@code weight} transposed to [out, in],
 * LayerNorm {@code gamma}/{@code beta} become {@code weight}/{@code bias}, {@code *_embeddings}
 * gain {@code .weight}, {@code output_bias}/{@code output_weights} become {@code bias}/{@code weight}
 * (so {@code cls/predictions/output_bias} is {@code cls.predictions.bias}). A leading TF-Hub
 * {@code module/} scope is dropped, and optimizer slots ({@code adam_m}, {@code adam_v},
 * {@code global_step}) are left out.
 *
 * <p>Untransposed float32 tensors are views of the mapped data file. Transposed kernels are heap
 * copies made on each {@link #floats} call and not kept: a model keeps what it loads, and a
 * converter streams tensors through one at a time without holding the whole checkpoint. Each
 * tensor's CRC-32C is checked on first use.
 */
public final class TfCheckpoint implements Weights {
    private static final Pattern INDEXED = Pattern.compile("([A-Za-z]+)_(\\d+)");
    private static final Set<String> OPTIMIZER = Set.of("adam_v", "adam_m", "AdamWeightDecayOptimizer",
            "AdamWeightDecayOptimizer_1", "global_step");

    private record Mapped(TensorInfo info, String tfName, boolean transpose) {}

    private final TensorBundle bundle;
    private final Map<String, Mapped> byHfName;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TfCheckpoint(TensorBundle bundle, Map<String, Mapped> byHfName) {
        this.bundle = bundle;
        this.byHfName = byHfName;
    }

    /** Opens the bundle whose index is {@code indexFile} ({@code variables.index}, {@code bert_model.ckpt.index}, ...). */
    public static TfCheckpoint open(java.nio.file.Path indexFile) {
        TensorBundle bundle = TensorBundle.open(indexFile);
        try {
            Map<String, Mapped> map = new LinkedHashMap<>();
            for (TensorBundle.Entry e : bundle.entries().values()) {
                String hf = hfName(e.name());
                if (hf == null || e.dtype() == null) continue;
                long[] shape = e.shape();
                boolean transpose = e.name().endsWith("/kernel") || e.name().equals("kernel");
                if (transpose) {
                    if (shape.length != 2) {
                        throw new WeightsException(indexFile + ": kernel '" + e.name() + "' has rank " + shape.length
                                + "; only 2-D dense kernels are supported");
                    }
                    shape = new long[] {shape[1], shape[0]};
                }
                Mapped prev = map.put(hf, new Mapped(new TensorInfo(hf, e.dtype(), shape), e.name(), transpose));
                if (prev != null) {
                    throw new WeightsException(indexFile + ": TF tensors '" + prev.tfName + "' and '" + e.name()
                            + "' both map to '" + hf + "'");
                }
            }
            return new TfCheckpoint(bundle, Collections.unmodifiableMap(map));
        } catch (RuntimeException e) {
            bundle.close();
            throw e;
        }
    }

    /**
     * The Hugging Face name of a TF variable, or null for optimizer state. Same rules as
     * transformers' {@code load_tf_weights_in_bert}.
     */
    public static String hfName(String tfName) {
        List<String> parts = List.of(tfName.split("/"));
        if (parts.stream().anyMatch(OPTIMIZER::contains)) return null;
        if (!parts.isEmpty() && parts.get(0).equals("module")) parts = parts.subList(1, parts.size());
        if (parts.isEmpty()) return null;
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            String base = p, index = null;
            Matcher m = INDEXED.matcher(p);
            if (m.matches()) {
                base = m.group(1);
                index = m.group(2);
            }
            String attr = switch (base) {
                case "kernel", "gamma", "output_weights" -> "weight";
                case "beta", "output_bias" -> "bias";
                case "squad" -> "classifier";
                default -> base;
            };
            if (!sb.isEmpty()) sb.append('.');
            sb.append(attr);
            if (index != null) sb.append('.').append(index);
        }
        if (parts.get(parts.size() - 1).endsWith("_embeddings")) sb.append(".weight");
        return sb.toString();
    }

    /** The TF variable behind a Hugging Face name, for messages and tests. */
    public Optional<String> tfName(String hfName) {
        Mapped m = byHfName.get(hfName);
        return m == null ? Optional.empty() : Optional.of(m.tfName);
    }

    /** The raw bundle, TensorFlow names. */
    public TensorBundle bundle() {
        return bundle;
    }

    @Override
    public String source() {
        return bundle.indexFile().toString();
    }

    @Override
    public Set<String> names() {
        checkOpen();
        return byHfName.keySet();
    }

    @Override
    public Optional<TensorInfo> info(String name) {
        checkOpen();
        Mapped m = byHfName.get(name);
        return m == null ? Optional.empty() : Optional.of(m.info);
    }

    @Override
    public FloatTensor floats(String name) {
        checkOpen();
        Mapped m = byHfName.get(name);
        if (m == null) throw new WeightsException(source() + ": no tensor '" + name + "'");
        DType dtype = m.info.dtype();
        if (!dtype.widensToFloat()) {
            throw new WeightsException(source() + ": tensor '" + name + "' (TF '" + m.tfName + "') is " + dtype
                    + "; only F32, F16 and BF16 weights can be used");
        }
        if (verified.add(m.tfName)) {
            try {
                bundle.verify(m.tfName);
            } catch (WeightsException e) {
                verified.remove(m.tfName);
                throw e;
            }
        }
        if (m.transpose) return transpose(m);
        FloatBuffer data = dtype == DType.F32 ? bundle.bytes(m.tfName).asFloatBuffer().asReadOnlyBuffer()
                : SafeTensors.widen(bundle.bytes(m.tfName), dtype);
        return new FloatTensor(name, m.info.shape(), data);
    }

    private FloatTensor transpose(Mapped m) {
        long[] shape = m.info.shape();
        int out = Math.toIntExact(shape[0]), in = Math.toIntExact(shape[1]);
        FloatBuffer src = m.info.dtype() == DType.F32 ? bundle.bytes(m.tfName).asFloatBuffer()
                : SafeTensors.widen(bundle.bytes(m.tfName), m.info.dtype());
        // the kernel is [in, out]; row r of the result gathers column r of the kernel
        float[] t = new float[Math.multiplyExact(out, in)];
        for (int i = 0; i < in; i++) {
            int base = i * out;
            for (int o = 0; o < out; o++) t[o * in + i] = src.get(base + o);
        }
        return new FloatTensor(m.info.name(), shape, FloatBuffer.wrap(t).asReadOnlyBuffer());
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException(source() + " is closed");
    }

    @Override
    public void close() {
        closed = true;
        bundle.close();
    }
}
