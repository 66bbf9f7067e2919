package dev.distil4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distil4j.weights.Checkpoints;
import dev.distil4j.weights.DType;
import dev.distil4j.weights.SafeTensorsWriter;
import dev.distil4j.weights.TensorInfo;
import dev.distil4j.weights.Weights;
import dev.distil4j.weights.WeightsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Rewrites any model directory distil4j reads (safetensors, pytorch_model.bin, a TF bundle already
 * imported, sharded or not) as a Hugging Face directory with a single {@code model.safetensors}
 * (+ config.json with {@code torch_dtype} updated, and the tokenizer files), which transformers loads.
 * Float tensors are written as F32, F16 or BF16 (see {@link SafeTensorsWriter} for the rounding);
 * non-float tensors (such as the {@code position_ids} buffer old checkpoints carry, which
 * transformers rebuilds) are left out and reported.
 */
public final class Converter {
    /** What was written and what was left out. */
    public record Result(Path directory, int tensors, long bytes, List<String> skipped, List<String> copiedFiles) {}

    private Converter() {}

    public static Result convert(Path modelDir, Path out, DType dtype) {
        Path config = modelDir.resolve("config.json");
        if (!Files.isRegularFile(config)) throw new WeightsException(modelDir + ": no config.json");
        if (out.toAbsolutePath().normalize().equals(modelDir.toAbsolutePath().normalize())) {
            throw new WeightsException("--out must differ from the source directory");
        }
        requireEmpty(out);
        try (Weights w = Checkpoints.open(modelDir)) {
            List<String> names = new ArrayList<>(), skipped = new ArrayList<>();
            for (String n : w.names()) {
                TensorInfo i = w.info(n).orElseThrow();
                if (i.dtype().widensToFloat()) names.add(n);
                else skipped.add(n + " (" + i.dtype() + ")");
            }
            Files.createDirectories(out);
            long bytes = SafeTensorsWriter.write(out.resolve("model.safetensors"), SafeTensorsWriter.entriesOf(w, names), dtype,
                    SafeTensorsWriter.TRANSFORMERS_METADATA);
            JsonNode c = Json.read(config);
            if (c instanceof ObjectNode o) o.put("torch_dtype", torchDtype(dtype));
            Json.write(out.resolve("config.json"), c);
            List<String> copied = ModelFiles.copySupport(modelDir, out, List.of("config.json"));
            return new Result(out, names.size(), bytes, skipped, copied);
        } catch (IOException e) {
            throw new WeightsException(out + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** F32 / F16 / BF16 from {@code f32}, {@code f16}, {@code bf16} (also {@code float16}, {@code bfloat16}...). */
    public static DType parseDtype(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32", "fp32", "float32" -> DType.F32;
            case "f16", "fp16", "float16", "half" -> DType.F16;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new WeightsException("--dtype: '" + s + "' is not one of f32, f16, bf16");
        };
    }

    static String torchDtype(DType d) {
        return switch (d) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        };
    }

    static void requireEmpty(Path out) {
        if (!Files.exists(out)) return;
        if (!Files.isDirectory(out)) throw new WeightsException("--out " + out + " exists and is not a directory");
        try (Stream<Path> s = Files.list(out)) {
            if (s.findAny().isPresent()) {
                throw new WeightsException("--out " + out + " is not empty; choose a new directory");
            }
        } catch (IOException e) {
            throw new WeightsException(out + ": cannot read: " + e.getMessage(), e);
        }
    }
}
