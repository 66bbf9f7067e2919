/**
 * Training and evaluation data, read and encoded as Hugging Face's example scripts do
 * ({@code run_glue.py}, {@code run_ner.py}, {@code run_qa.py} with {@code utils_qa.py}), so that a model
 * fine-tuned here sees the same inputs and labels it would see there.
 *
 * <ul>
 *   <li>Readers into immutable examples: {@link dev.distil4j.train.data.TextDataReader} (TSV as GLUE
 *       distributes it, CSV, JSON Lines), {@link dev.distil4j.train.data.ConllReader},
 *       {@link dev.distil4j.train.data.SquadReader}. A bad record is a
 *       {@link dev.distil4j.train.data.DataFormatException} whose message starts with {@code file:line}, or,
 *       when asked, is skipped and counted in the {@link dev.distil4j.train.data.ReadResult}.</li>
 *   <li>Labels: {@link dev.distil4j.train.data.LabelSet}, sorted from the data or given, with the
 *       {@code id2label}/{@code label2id} a {@code config.json} needs.</li>
 *   <li>Encoders to unpadded int arrays: {@link dev.distil4j.train.data.SequenceClassificationEncoder},
 *       {@link dev.distil4j.train.data.TokenClassificationEncoder}, {@link dev.distil4j.train.data.QaEncoder};
 *       and {@link dev.distil4j.train.data.QaPostprocessor} from logits back to answers.</li>
 * </ul>
 */
package dev.distil4j.train.data;
