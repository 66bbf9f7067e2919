package dev.distil4j.bench.encoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distil4j.model.HeadType;
import dev.distil4j.model.Model;
import dev.distil4j.model.ModelInput;
import dev.distil4j.model.ModelOutput;
import dev.distil4j.model.Precision;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Accuracy of each {@link Precision} on real weights against the float32 goldens of
 * ../shared/real/NAME/goldens: per case, the largest |difference| of last_hidden_state and the
 * worst cosine of a real token's hidden state; for MLM models also the fill-mask top-5 of every
 * prompt of fill_mask.json (same ids in the same order?) and the largest score difference.
 * {@code java -cp distil4j-bench.jar dev.distil4j.bench.encoder.PrecisionCheck MODEL_DIR GOLDENS_DIR [float32,bf16,int8]}
 */
public final class PrecisionCheck {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PrecisionCheck() {}

    public static void main(String[] args) throws IOException {
        Path modelDir = Path.of(args[0]), goldens = Path.of(args[1]);
        String[] precisions = (args.length > 2 ? args[2] : "float32,bf16,int8").split(",");
        JsonNode cases = JSON.readTree(Files.readString(goldens.resolve("cases.json"))).get("cases");
        Path fillMask = goldens.resolve("fill_mask.json");
        JsonNode prompts = Files.isRegularFile(fillMask) ? JSON.readTree(Files.readString(fillMask)) : null;
        for (String p : precisions) {
            Precision precision = switch (p) {
                case "bf16" -> Precision.BF16_WEIGHTS;
                case "int8" -> Precision.INT8_WEIGHTS;
                default -> Precision.FLOAT32;
            };
            try (Model model = Model.load(modelDir, Model.Options.defaults().withPrecision(precision))) {
                System.out.printf("%n== %s, %s weights, head %s%n", modelDir.getFileName(), precision, model.headType());
                double worstCos = 1, worstDiff = 0;
                for (JsonNode c : cases) {
                    int[][] ids = ints(c.get("input_ids")), mask = ints(c.get("attention_mask"));
                    int[][] types = c.has("token_type_ids") ? ints(c.get("token_type_ids")) : null;
                    ModelInput in = new ModelInput(ids, mask, types);
                    float[] got = model.forward(in).lastHiddenState().data();
                    float[] want = npy(goldens, c.get("outputs").get("last_hidden_state"));
                    int h = model.config().hiddenSize(), seq = in.seqLength();
                    double diff = 0, cosMin = 1;
                    for (int b = 0; b < in.batchSize(); b++) {
                        for (int i = 0; i < seq; i++) {
                            if (in.mask(b, i) == 0) continue;
                            int o = (b * seq + i) * h;
                            double ab = 0, aa = 0, bb = 0;
                            for (int j = o; j < o + h; j++) {
                                diff = Math.max(diff, Math.abs(got[j] - want[j]));
                                ab += (double) got[j] * want[j];
                                aa += (double) got[j] * got[j];
                                bb += (double) want[j] * want[j];
                            }
                            cosMin = Math.min(cosMin, ab / Math.sqrt(aa * bb));
                        }
                    }
                    worstCos = Math.min(worstCos, cosMin);
                    worstDiff = Math.max(worstDiff, diff);
                    System.out.printf(Locale.ROOT, "  %-30s [%d x %d] max |diff| %.2e (real tokens), min cosine %.6f%n",
                            c.get("name").asText(), in.batchSize(), seq, diff, cosMin);
                }
                System.out.printf(Locale.ROOT, "  ALL CASES: max |diff| %.2e, min cosine %.6f%n", worstDiff, worstCos);
                if (prompts != null && model.headType() == HeadType.MASKED_LM) fillMask(model, prompts);
            }
        }
    }

    static void fillMask(Model model, JsonNode prompts) {
        int same = 0, total = 0;
        double worstScore = 0;
        for (JsonNode p : prompts) {
            int[] ids = new int[p.get("input_ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = p.get("input_ids").get(i).asInt();
            ModelOutput out = model.forward(ModelInput.of(ids));
            int v = out.logits().dim(2);
            JsonNode result = p.get("result");
            List<JsonNode> perMask = new ArrayList<>();
            if (result.get(0).isArray()) result.forEach(perMask::add); else perMask.add(result);
            int m = 0;
            for (int pos = 0; pos < ids.length; pos++) {
                if (ids[pos] != 103) continue; // [MASK]
                JsonNode want = perMask.get(m++);
                float[] logits = out.logits().row(pos);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float l : logits) max = Math.max(max, l);
                for (float l : logits) sum += Math.exp(l - max);
                int[] top = new int[want.size()];
                boolean[] taken = new boolean[v];
                for (int k = 0; k < top.length; k++) {
                    int best = -1;
                    for (int j = 0; j < v; j++) if (!taken[j] && (best < 0 || logits[j] > logits[best])) best = j;
                    taken[best] = true;
                    top[k] = best;
                }
                boolean ok = true;
                StringBuilder sb = new StringBuilder();
                for (int k = 0; k < top.length; k++) {
                    int wantId = want.get(k).get("token").asInt();
                    double score = Math.exp(logits[top[k]] - max) / sum;
                    ok &= wantId == top[k];
                    if (wantId == top[k]) worstScore = Math.max(worstScore, Math.abs(score - want.get(k).get("score").asDouble()));
                    sb.append(String.format(Locale.ROOT, " %s %.4f", want.get(k).get("token_str").asText(), score));
                }
                total++;
                if (ok) same++;
                if (!ok) {
                    sb.setLength(0);
                    sb.append(" golden ids");
                    for (int k = 0; k < top.length; k++) sb.append(' ').append(want.get(k).get("token").asInt());
                    sb.append(", got");
                    for (int k = 0; k < top.length; k++) sb.append(' ').append(top[k]);
                }
                System.out.printf(Locale.ROOT, "  fill-mask %-45s %s:%s%n", "\"" + p.get("input").asText() + "\"", ok ? "same top-5" : "DIFFERENT", sb);
            }
        }
        System.out.printf(Locale.ROOT, "  FILL-MASK: %d of %d masks with the golden top-5 ids in order; max |score diff| %.2e%n", same, total, worstScore);
    }

    static int[][] ints(JsonNode n) {
        if (n == null || n.isNull()) return null;
        int[][] a = new int[n.size()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = new int[n.get(i).size()];
            for (int j = 0; j < a[i].length; j++) a[i][j] = n.get(i).get(j).asInt();
        }
        return a;
    }

    static float[] npy(Path goldens, JsonNode desc) throws IOException {
        long n = 1;
        for (JsonNode d : desc.get("shape")) n *= d.asLong();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(goldens.resolve(desc.get("file").asText()))).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[(int) n];
        b.position(desc.get("data_offset").asInt());
        b.asFloatBuffer().get(out);
        return out;
    }
}
