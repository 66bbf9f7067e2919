package dev.distil4j.train.trainer;

import dev.distil4j.tokenizer.Tokenizer;
import dev.distil4j.train.data.ConllReader;
import dev.distil4j.train.data.DataFormatException;
import dev.distil4j.train.data.LabelSet;
import dev.distil4j.train.data.Origin;
import dev.distil4j.train.data.QaEncoder;
import dev.distil4j.train.data.QaEvalFeature;
import dev.distil4j.train.data.QaExample;
import dev.distil4j.train.data.QaTrainFeature;
import dev.distil4j.train.data.ReadOptions;
import dev.distil4j.train.data.ReadResult;
import dev.distil4j.train.data.SequenceClassificationEncoder;
import dev.distil4j.train.data.SequenceFeature;
import dev.distil4j.train.data.SquadReader;
import dev.distil4j.train.data.TextDataReader;
import dev.distil4j.train.data.TextExample;
import dev.distil4j.train.data.TokenClassificationEncoder;
import dev.distil4j.train.data.TokenExample;
import dev.distil4j.train.data.TokenFeature;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A task's data file, read and encoded: the features to batch, what was skipped, and for QA evaluation
 * the questions and their windows (the features are then the windows, unlabelled).
 *
 * <p>Reading and encoding are two steps because the labels of a training file come from the file itself
 * (sorted), and the model is loaded with them before anything is encoded.
 */
final class TaskData {
    final Task task;
    final Path file;
    final List<Feature> features;
    final List<String> skipped;
    final List<QaExample> questions;
    final List<QaEvalFeature> windows;

    private TaskData(Task task, Path file, List<Feature> features, List<String> skipped, List<QaExample> questions,
                     List<QaEvalFeature> windows) {
        this.task = task;
        this.file = file;
        this.features = List.copyOf(features);
        this.skipped = List.copyOf(skipped);
        this.questions = questions;
        this.windows = windows;
    }

    /** The records of a file, before encoding; one list is filled, by task. */
    record Records(Task task, Path file, List<TextExample> texts, List<TokenExample> sentences,
                   List<QaExample> questions, List<String> skipped) {
        int size() {
            return switch (task) {
                case TEXT_CLASSIFICATION, REGRESSION -> texts.size();
                case TOKEN_CLASSIFICATION -> sentences.size();
                case QUESTION_ANSWERING -> questions.size();
            };
        }

        /**
         * The labels: {@code given} (checked while reading), else the data's, sorted as run_glue/run_ner sort
         * them; null for regression and QA, which have none.
         */
        LabelSet labels(List<String> given) {
            if (task == Task.REGRESSION || task == Task.QUESTION_ANSWERING) return null;
            LabelSet set = given != null ? new LabelSet(given)
                    : task == Task.TOKEN_CLASSIFICATION ? LabelSet.fromTokenExamples(sentences) : LabelSet.fromExamples(texts);
            if (task == Task.TEXT_CLASSIFICATION && set.size() < 2) {
                throw new IllegalArgumentException(file + ": text classification needs at least two labels, the data has only "
                        + set.labels() + " (list them with --labels, or train a regression)");
            }
            return set;
        }
    }

    /**
     * Reads {@code file} for {@code task}: TSV, CSV or JSON Lines for text tasks, CoNLL for token
     * classification, SQuAD JSON for QA. With {@code labels}, any other label is a bad record.
     */
    static Records read(Task task, Path file, DataArguments args, LabelSet labels) {
        ReadOptions options = ReadOptions.defaults().withLabelColumn(args.labelColumn())
                .withSkipBadRecords(args.skipBadRecords());
        if (args.textColumn() != null) options = options.withColumns(args.textColumn(), args.textPairColumn());
        return switch (task) {
            case TEXT_CLASSIFICATION, REGRESSION -> {
                ReadResult<TextExample> r = TextDataReader.read(file,
                        task == Task.REGRESSION ? options.withRegression(true) : options.withLabels(labels));
                yield new Records(task, file, r.examples(), null, null, r.skipped());
            }
            case TOKEN_CLASSIFICATION -> {
                ReadResult<TokenExample> r = ConllReader.read(file, options.withLabels(labels));
                yield new Records(task, file, null, r.examples(), null, r.skipped());
            }
            case QUESTION_ANSWERING -> {
                ReadResult<QaExample> r = SquadReader.read(file, options);
                yield new Records(task, file, null, null, r.examples(), r.skipped());
            }
        };
    }

    /**
     * Encodes records as run_glue/run_ner/run_qa's preprocessing does; {@code training} picks QA's training
     * windows (with answer positions) over its evaluation windows (with offsets). A record the encoder
     * rejects (a question too long for a window) is bad like any other.
     */
    static TaskData encode(Records records, Tokenizer tokenizer, LabelSet labels, int maxLength, int docStride,
                           boolean skipBad, boolean training) {
        List<Feature> features = new ArrayList<>();
        List<String> skipped = new ArrayList<>(records.skipped());
        List<QaExample> questions = new ArrayList<>();
        List<QaEvalFeature> windows = new ArrayList<>();
        switch (records.task()) {
            case TEXT_CLASSIFICATION, REGRESSION -> {
                var encoder = records.task() == Task.REGRESSION ? SequenceClassificationEncoder.regression(tokenizer, maxLength)
                        : SequenceClassificationEncoder.classification(tokenizer, maxLength, labels);
                for (TextExample e : records.texts()) {
                    try {
                        SequenceFeature f = encoder.encode(e);
                        features.add(records.task() == Task.REGRESSION
                                ? new Feature(f.inputIds(), f.tokenTypeIds(), null, f.target())
                                : new Feature(f.inputIds(), f.tokenTypeIds(), new int[] {f.labelId()}, Float.NaN));
                    } catch (DataFormatException ex) {
                        bad(ex, skipBad, skipped);
                    }
                }
            }
            case TOKEN_CLASSIFICATION -> {
                var encoder = new TokenClassificationEncoder(tokenizer, maxLength, labels, false);
                for (TokenExample e : records.sentences()) {
                    try {
                        TokenFeature f = encoder.encode(e);
                        features.add(new Feature(f.inputIds(), f.tokenTypeIds(), f.labels(), Float.NaN));
                    } catch (DataFormatException ex) {
                        bad(ex, skipBad, skipped);
                    }
                }
            }
            case QUESTION_ANSWERING -> {
                var encoder = new QaEncoder(tokenizer, maxLength, docStride);
                for (QaExample e : records.questions()) {
                    try {
                        if (training) {
                            for (QaTrainFeature f : encoder.trainFeatures(e)) {
                                features.add(new Feature(f.inputIds(), f.tokenTypeIds(),
                                        new int[] {f.startPosition(), f.endPosition()}, Float.NaN));
                            }
                        } else {
                            List<QaEvalFeature> w = encoder.validationFeatures(e);
                            questions.add(e);
                            windows.addAll(w);
                            for (QaEvalFeature f : w) features.add(new Feature(f.inputIds(), f.tokenTypeIds(), null, Float.NaN));
                        }
                    } catch (DataFormatException ex) {
                        bad(ex, skipBad, skipped);
                    }
                }
            }
        }
        if (features.isEmpty()) {
            throw new DataFormatException(new Origin(records.file().toString(), 1), null,
                    "no usable records" + (skipped.isEmpty() ? "" : " (" + skipped.size() + " bad ones skipped)"));
        }
        return new TaskData(records.task(), records.file(), features, skipped, List.copyOf(questions), List.copyOf(windows));
    }

    private static void bad(DataFormatException e, boolean skip, List<String> skipped) {
        if (!skip) throw e;
        skipped.add(e.getMessage());
    }

    /** A dataset of ready features (tests, and callers that encode by themselves). */
    static TaskData of(Task task, Path file, List<Feature> features) {
        return new TaskData(task, file, features, List.of(), List.of(), List.of());
    }

    int[] lengths() {
        int[] l = new int[features.size()];
        for (int i = 0; i < l.length; i++) l[i] = features.get(i).length();
        return l;
    }
}
