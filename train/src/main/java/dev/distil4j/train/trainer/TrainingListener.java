package dev.distil4j.train.trainer;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link Trainer} reports while it runs (the command line draws its progress bar and tables from
 * these). Called on the training thread; every method does nothing by default.
 */
public interface TrainingListener {
    /**
     * Once, before the first step.
     *
     * @param trainFeatures   encoded training sequences (QA: windows)
     * @param batchesPerEpoch micro-batches per epoch
     * @param stepsPerEpoch   optimizer steps per epoch
     * @param maxSteps        optimizer steps of the whole run
     * @param startStep       the step it starts from (0, or the checkpoint's when resuming)
     * @param warmupSteps     steps of rising learning rate
     */
    record Plan(int trainFeatures, int validationFeatures, int batchesPerEpoch, int stepsPerEpoch, int maxSteps,
                int startStep, int warmupSteps) {}

    /**
     * After every optimizer step.
     *
     * @param step         steps done (1 after the first)
     * @param epoch        epochs done, fractional (1.5: half way through the second)
     * @param loss         this step's training loss (the mean over its micro-batches)
     * @param learningRate the rate this step used
     * @param gradNorm     the gradient norm before clipping (NaN without clipping)
     * @param tokens       real (unpadded) tokens in the step
     * @param nanos        how long the step took
     */
    record Step(int step, int maxSteps, double epoch, double loss, double learningRate, double gradNorm, long tokens,
                long nanos) {}

    /**
     * After every evaluation on the validation data.
     *
     * @param trainLoss the mean training loss since the previous evaluation (null when no step ran since)
     * @param metrics   the task's metrics, ending with {@code examples}
     */
    record Evaluation(int step, double epoch, Double trainLoss, Map<String, Double> metrics) {}

    /**
     * After each batch of a pass over data outside the steps: the teacher's logits before the first step of a
     * task distillation ({@code what} "teacher"), an evaluation on the validation data ("evaluation").
     *
     * @param done  sequences done so far
     * @param total sequences in the pass
     */
    record Pass(String what, int done, int total) {}

    /**
     * How the teacher of a task distillation sees the training data, once its logits are ready: how often
     * its top label is the gold one, and how sure it is. A teacher that is right and near-certain on every
     * training example (it was fine-tuned on them) gives soft targets close to the hard labels at a low
     * temperature: the distillation term then adds little to the task loss.
     *
     * @param accuracy       share of training sequences whose gold label is the teacher's top one
     * @param meanTop        the mean probability of the teacher's top label (softmax at temperature 1)
     * @param temperature    the distillation temperature
     * @param meanTopAtT     the same mean at {@code temperature}: what the student is asked to match
     */
    record TeacherFit(int examples, double accuracy, double meanTop, double temperature, double meanTopAtT) {}

    default void onTrainBegin(Plan plan) {}

    default void onPass(Pass pass) {}

    default void onTeacherFit(TeacherFit fit) {}

    default void onStep(Step step) {}

    default void onEvaluate(Evaluation evaluation) {}

    /** A checkpoint directory was written. */
    default void onSave(Path checkpoint) {}
}
