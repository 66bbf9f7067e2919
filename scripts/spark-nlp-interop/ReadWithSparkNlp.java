import com.johnsnowlabs.nlp.DocumentAssembler;
import com.johnsnowlabs.nlp.EmbeddingsFinisher;
import com.johnsnowlabs.nlp.annotators.Tokenizer;
import com.johnsnowlabs.nlp.annotators.sbd.pragmatic.SentenceDetector;
import com.johnsnowlabs.nlp.embeddings.SentenceEmbeddings;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import com.johnsnowlabs.nlp.Annotation;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The Spark 3.5 + Spark NLP 5.5.3 half of scripts/check-spark-nlp-interop (JDK 17, run as a source file): reads
 * the Parquet distil4j wrote on Spark 4, runs Spark NLP's own DocumentAssembler, SentenceDetector, Tokenizer,
 * SentenceEmbeddings (on distil4j's word embeddings column) and EmbeddingsFinisher, and checks what they give
 * against what distil4j wrote. Prints a summary; exits 1 on any difference.
 */
public class ReadWithSparkNlp {
    static int failures = 0;

    static void check(boolean ok, String what) {
        if (!ok) {
            failures++;
            if (failures <= 20) System.out.println("DIFFERENCE: " + what);
        }
    }

    public static void main(String[] args) throws Exception {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("spark-nlp interop reader")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        Dataset<Row> read = spark.read().parquet(args[0]);
        // Spark reads every Parquet field back as nullable, and EmbeddingsFinisher wants exactly Annotation.dataType
        // (begin and end not null): the same for Spark NLP's own columns stored in Parquet. Give the annotation
        // columns their exact type back (their metadata stays).
        StructType exact = new StructType();
        for (StructField f : read.schema().fields()) {
            boolean annotations = f.metadata().contains("annotatorType");
            if (annotations) System.out.println("column " + f.name() + " as read: " + f.dataType().simpleString() + ", exact type: "
                    + f.dataType().equals(new ArrayType(Annotation.dataType(), true)));
            exact = exact.add(annotations ? new StructField(f.name(), new ArrayType(Annotation.dataType(), true), f.nullable(), f.metadata()) : f);
        }
        Dataset<Row> df = spark.createDataFrame(read.rdd(), exact);
        for (String col : new String[] {"embeddings", "hf_embeddings"}) {
            Metadata md = df.schema().apply(col).metadata();
            System.out.println("column " + col + " metadata as Spark 3.5 reads it: " + md.json());
            check(md.contains("annotatorType") && md.getString("annotatorType").equals("word_embeddings"), col + ": annotatorType");
            check(md.contains("ref") && md.contains("dimension"), col + ": ref and dimension");
        }
        // one setter per statement: seen from Java, Spark NLP's setters return their trait types
        DocumentAssembler documents = new DocumentAssembler();
        documents.setInputCol("text");
        documents.setOutputCol("document");
        SentenceEmbeddings sentenceEmbeddings = new SentenceEmbeddings();
        sentenceEmbeddings.setInputCols(new String[] {"sentence", "embeddings"});
        sentenceEmbeddings.setOutputCol("sentence_embeddings");
        sentenceEmbeddings.setPoolingStrategy("AVERAGE");
        SentenceDetector sentences = new SentenceDetector();
        sentences.setInputCols(new String[] {"document"});
        sentences.setOutputCol("sentence");
        Tokenizer tokenizer = new Tokenizer();
        tokenizer.setInputCols(new String[] {"sentence"});
        tokenizer.setOutputCol("token");
        EmbeddingsFinisher finisher = new EmbeddingsFinisher();
        finisher.setInputCols(new String[] {"embeddings", "hf_embeddings", "sentence_embeddings"});
        finisher.setOutputCols(new String[] {"f_words", "f_hf", "f_sentences"});
        finisher.setCleanAnnotations(false);
        Dataset<Row> out = new Pipeline().setStages(new PipelineStage[] {
                documents, sentences, tokenizer, sentenceEmbeddings, finisher})
                .fit(df).transform(df);
        String ref = out.schema().apply("sentence_embeddings").metadata().getString("ref");
        check(ref.equals(df.schema().apply("embeddings").metadata().getString("ref")), "SentenceEmbeddings took the ref " + ref);

        // optional: Spark NLP's own sentences and tokens of rows FROM.. as JSON lines, a golden file for distil4j's unit tests
        java.io.PrintWriter dump = args.length > 2 ? new java.io.PrintWriter(args[1], "UTF-8") : null;
        int dumpFrom = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int rows = 0, sentenceCount = 0, tokenCount = 0, words = 0, hfWords = 0, sentenceVectors = 0;
        double maxMeanDiff = 0;
        for (Row r : out.select("id", "text", "sentence", "token", "embeddings", "hf_embeddings", "f_words", "f_hf", "f_sentences",
                "exp_sentences", "exp_tokens", "exp_vectors", "exp_sentence_means").collectAsList()) {
            int id = r.getInt(0);
            String where = "row " + id + " (" + r.getString(1) + ")";
            // Spark NLP's own sentences and tokens equal distil4j's reproduction of them
            List<Row> snlpSentences = r.getList(2), expSentences = r.getList(9);
            check(snlpSentences.size() == expSentences.size(), where + ": " + snlpSentences.size() + " Spark NLP sentences, distil4j " + expSentences.size());
            for (int i = 0; i < Math.min(snlpSentences.size(), expSentences.size()); i++) {
                Row a = snlpSentences.get(i), e = expSentences.get(i);
                boolean same = a.getInt(1) == e.getInt(0) && a.getInt(2) == e.getInt(1) && a.getString(3).equals(e.getString(2))
                        && a.<String, String>getJavaMap(4).get("sentence").equals(Integer.toString(i));
                check(same, where + " sentence " + i + ": Spark NLP " + a + ", distil4j " + e);
                if (same) sentenceCount++;
            }
            List<Row> snlpTokens = r.getList(3), expTokens = r.getList(10);
            if (dump != null && id >= dumpFrom) {
                List<Object> ss = new ArrayList<>(), ts = new ArrayList<>();
                for (Row a : snlpSentences) ss.add(List.of(a.getInt(1), a.getInt(2), a.getString(3)));
                for (Row a : snlpTokens) ts.add(List.of(a.getInt(1), a.getInt(2), a.getString(3),
                        Integer.parseInt(a.<String, String>getJavaMap(4).get("sentence"))));
                try {
                    dump.println(json.writeValueAsString(java.util.Map.of("id", id - dumpFrom, "sentences", ss, "tokens", ts)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
            }
            check(snlpTokens.size() == expTokens.size(), where + ": " + snlpTokens.size() + " Spark NLP tokens, distil4j " + expTokens.size());
            for (int i = 0; i < Math.min(snlpTokens.size(), expTokens.size()); i++) {
                Row a = snlpTokens.get(i), e = expTokens.get(i);
                boolean same = a.getInt(1) == e.getInt(0) && a.getInt(2) == e.getInt(1) && a.getString(3).equals(e.getString(2))
                        && a.<String, String>getJavaMap(4).get("sentence").equals(Integer.toString(e.getInt(3)));
                check(same, where + " token " + i + ": Spark NLP " + a + ", distil4j " + e);
                if (same) tokenCount++;
            }
            // EmbeddingsFinisher hands back distil4j's vectors unchanged, both columns
            List<Object> fWords = r.getList(6), expVectors = r.getList(11);
            check(fWords.size() == expVectors.size(), where + ": finisher gave " + fWords.size() + " vectors, distil4j " + expVectors.size());
            for (int i = 0; i < Math.min(fWords.size(), expVectors.size()); i++) {
                boolean same = toList(fWords.get(i)).equals(toList(expVectors.get(i)));
                check(same, where + " word " + i + ": finished vector differs");
                if (same) words++;
            }
            List<Row> hf = r.getList(5);
            List<Object> fHf = r.getList(7);
            check(fHf.size() == hf.size(), where + ": finisher on hf_embeddings");
            for (int i = 0; i < Math.min(fHf.size(), hf.size()); i++) {
                boolean same = toList(fHf.get(i)).equals(toList(hf.get(i).get(5)));
                check(same, where + " hf word " + i);
                if (same) hfWords++;
            }
            // SentenceEmbeddings (AVERAGE over distil4j's word vectors of each Spark NLP sentence)
            List<Object> fSentences = r.getList(8), means = r.getList(12);
            check(fSentences.size() == snlpSentences.size(), where + ": " + fSentences.size() + " sentence vectors");
            for (int i = 0; i < Math.min(fSentences.size(), means.size()); i++) {
                List<Float> got = toList(fSentences.get(i)), want = toList(means.get(i));
                boolean same = got.size() == want.size();
                for (int k = 0; same && k < got.size(); k++) {
                    double d = Math.abs(got.get(k) - want.get(k));
                    maxMeanDiff = Math.max(maxMeanDiff, d);
                    same = d <= 1e-5 * Math.max(1, Math.abs(want.get(k)));
                }
                check(same, where + " sentence vector " + i + " differs (" + got.size() + " vs " + want.size() + " floats)");
                if (same) sentenceVectors++;
            }
            rows++;
        }
        System.out.printf("rows %d: Spark NLP sentences equal %d, tokens equal %d, finished word vectors equal %d (compat) and %d "
                + "(transformers mode), SentenceEmbeddings vectors equal %d (max |diff| %.2g); differences: %d%n",
                rows, sentenceCount, tokenCount, words, hfWords, sentenceVectors, maxMeanDiff, failures);
        if (dump != null) dump.close();
        spark.stop();
        System.exit(failures == 0 ? 0 : 1);
    }

    @SuppressWarnings("unchecked")
    static List<Float> toList(Object o) {
        if (o instanceof List) return (List<Float>) o;
        if (o instanceof scala.collection.Seq) return scala.collection.JavaConverters.seqAsJavaList((scala.collection.Seq<Float>) o);
        List<Float> out = new ArrayList<>();
        for (float f : (float[]) o) out.add(f);
        return out;
    }
}
