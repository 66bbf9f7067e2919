package dev.distil4j.kernels;

import java.util.Locale;

/** The activation functions Hugging Face configs name ({@code hidden_act}, {@code activation}). */
public enum Activation {
    /** {@code x * Phi(x)} with the exact normal CDF (erf): HF "gelu". */
    GELU,
    /** The tanh approximation: HF "gelu_new", "gelu_pytorch_tanh", "gelu_fast". */
    GELU_TANH,
    RELU,
    /** HF "silu" / "swish": {@code x * sigmoid(x)}. */
    SILU,
    /** HF "quick_gelu": {@code x * sigmoid(1.702 x)}. */
    QUICK_GELU,
    TANH;

    /** Parses an HF activation name; the error names the value and the accepted ones. */
    public static Activation fromHf(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "gelu", "gelu_python" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> GELU_TANH;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            case "quick_gelu" -> QUICK_GELU;
            case "tanh" -> TANH;
            default -> throw new IllegalArgumentException("unsupported activation \"" + name
                    + "\" (supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, quick_gelu, tanh)");
        };
    }
}
